/* worker/cmd_client.c - CLIENT ID / SETNAME / GETNAME / LIST / INFO / KILL / PAUSE /
 * UNPAUSE / NO-EVICT / HELP.
 *
 * Every client of every worker has a record in the arena registry (registry.h):
 * CLIENT LIST and CLIENT KILL work on those, so they see all workers' clients.  A
 * record is written by its owning worker only; what another worker's record says
 * (query buffer, output memory, last command) is what its owner last published.
 * The caller's own line is made from its live state.  Lines are Redis 7.0's, plus
 * "worker=N", the slot of the owning worker.
 *
 * Names are validated and stored by client_name.c (HELLO shares them).
 *
 * CLIENT KILL of a client of any worker (this one included) sets the record's kill
 * flag and pokes the owner's eventfd; the owner's loop closes it.  A client killing
 * itself gets its reply first, then is closed (Redis's close-after-reply).
 *
 * CLIENT PAUSE / UNPAUSE change the pause shared by all workers (pause.h).  The flags
 * a line shows (O monitor, b blocked or paused, e no-evict, ...) are the record's,
 * which its owner keeps in step with the client's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyspace/db.h"
#include "util/numconv.h"
#include "worker/cmd_reset.h"
#include "worker/pause.h"
#include "worker/registry.h"
#include "worker/server_cmds.h"
#include "worker/worker.h"

#define ERR_NO_CLIENT "ERR No such client"

enum client_type { TYPE_NORMAL, TYPE_REPLICA, TYPE_PUBSUB, TYPE_MASTER, TYPE_UNKNOWN };

/* "normal", "replica"/"slave", "pubsub", "master" (any case); TYPE_UNKNOWN else. */
static enum client_type type_by_name(struct cmd_ctx *c, int i)
{
    if (arg_is(c, i, "normal")) return TYPE_NORMAL;
    if (arg_is(c, i, "replica") || arg_is(c, i, "slave")) return TYPE_REPLICA;
    if (arg_is(c, i, "pubsub")) return TYPE_PUBSUB;
    if (arg_is(c, i, "master")) return TYPE_MASTER;
    reply_errorf(c->reply, "ERR Unknown client type '%.*s'", (int)c->argvlen[i], c->argv[i]);
    return TYPE_UNKNOWN;
}

/* A client with a subscription is a pubsub one (replication will add its types). */
static enum client_type record_type(const struct client_record *r)
{
    return r->sub || r->psub || r->ssub ? TYPE_PUBSUB : TYPE_NORMAL;
}

/* ---- the CLIENT LIST line ---- */

struct line_mem { unsigned long long qbuf, qbuf_free, argv_mem, rbs, omem, tot_mem; };

/* Memory figures of the caller (live) or of another client (its record). */
static void line_memory(const struct client_record *r, const struct cmd_ctx *c, struct line_mem *m)
{
    const struct client *cl = c->client;
    memset(m, 0, sizeof(*m));
    if (cl && r == cl->record) {
        m->qbuf = cl->qlen - cl->qpos;
        m->qbuf_free = cl->qcap - cl->qlen;
        for (int i = 0; i < c->argc; i++)
            m->argv_mem += c->argvlen[i];
        m->rbs = cl->out.cap;
        m->omem = cl->out.len - cl->out_sent;
        m->tot_mem = sizeof(*cl) + cl->qcap + cl->out.cap + m->argv_mem;
        return;
    }
    m->qbuf = r->qbuf;
    m->qbuf_free = r->qbuf_free;
    m->omem = r->omem;
    m->tot_mem = r->tot_mem ? r->tot_mem : sizeof(struct client) + r->qbuf + r->qbuf_free + r->omem;
}

static void line_flags(const struct client_record *r, char *out)
{
    char *p = out;
    if (r->flags & CLIENT_MONITOR) *p++ = 'O';
    if (r->flags & (CLIENT_BLOCKED | CLIENT_PAUSED)) *p++ = 'b';
    if (r->sub || r->psub || r->ssub) *p++ = 'P';
    if (r->flags & CLIENT_CLOSE_AFTER_REPLY) *p++ = 'c';
    if ((r->flags & CLIENT_CLOSE_ASAP) || r->kill) *p++ = 'A';
    if (r->flags & CLIENT_UNIX) *p++ = 'U';
    if (r->flags & CLIENT_NO_EVICT) *p++ = 'e';
    if (p == out) *p++ = 'N';
    *p = '\0';
}

static void append_line(FILE *f, const struct client_record *r, const struct cmd_ctx *c)
{
    struct line_mem m;
    char flags[8];
    size_t nlen;
    const char *name = registry_name(r, &nlen);
    int64_t now = db_wall_ms();
    int is_caller = c->client && r == c->client->record;
    line_memory(r, c, &m);
    line_flags(r, flags);
    fprintf(f, "id=%llu addr=%s laddr=%s fd=%d name=%.*s age=%lld idle=%lld flags=%s db=%d "
               "sub=%u psub=%u ssub=%u multi=-1 qbuf=%llu qbuf-free=%llu argv-mem=%llu multi-mem=0 "
               "rbs=%llu rbp=%llu obl=0 oll=0 omem=%llu tot-mem=%llu events=%s cmd=%.*s "
               "user=default redir=-1 resp=%d worker=%d\n",
            (unsigned long long)r->id, r->addr, r->laddr, r->fd, (int)nlen, name,
            (long long)(now - r->created_ms) / 1000, is_caller ? 0LL : (long long)(now - r->last_ms) / 1000,
            flags, r->dbid, (unsigned)r->sub, (unsigned)r->psub, (unsigned)r->ssub, m.qbuf, m.qbuf_free, m.argv_mem, m.rbs, m.rbs, m.omem, m.tot_mem,
            m.omem ? "rw" : "r", r->cmd[0] ? (int)strnlen(r->cmd, sizeof(r->cmd)) : 4,
            r->cmd[0] ? r->cmd : "NULL", r->resp, r->slot);
}

/* Replies text as Redis's CLIENT LIST/INFO do (a verbatim string in RESP3). */
static void reply_text(struct cmd_ctx *c, char *text, size_t len)
{
    reply_verbatim(c->reply, text ? text : "", len, "txt");
    free(text);
}

static int by_id(const void *a, const void *b)
{
    uint64_t x = (*(struct client_record *const *)a)->id, y = (*(struct client_record *const *)b)->id;
    return x < y ? -1 : x > y;
}

/* Live records, in id order (the order clients connected); NULL if out of memory. */
static struct client_record **live_records(size_t *n)
{
    struct client_record **v = malloc((registry_capacity() + 1) * sizeof(*v));
    *n = 0;
    if (!v)
        return NULL;
    for (uint32_t i = 0; i < registry_capacity(); i++)
        if (registry_at(i)->id)
            v[(*n)++] = registry_at(i);
    qsort(v, *n, sizeof(*v), by_id);
    return v;
}

/* The clients CLIENT LIST shows: all of a type, or the ones asked for by id. */
static void list_clients(struct cmd_ctx *c, FILE *f, enum client_type type, int first_id)
{
    if (first_id) {
        for (int i = first_id; i < c->argc; i++) {
            long long id;
            string2ll(c->argv[i], c->argvlen[i], &id);
            struct client_record *r = id > 0 ? registry_find((uint64_t)id) : NULL;
            if (r)
                append_line(f, r, c);
        }
        return;
    }
    size_t n;
    struct client_record **v = live_records(&n);
    for (size_t i = 0; i < n; i++)
        if (type == TYPE_UNKNOWN || record_type(v[i]) == type)
            append_line(f, v[i], c);
    free(v);
}

/* Checks CLIENT LIST's ID arguments; replies and returns 0 on a bad one. */
static int ids_valid(struct cmd_ctx *c, int first)
{
    long long id;
    for (int i = first; i < c->argc; i++)
        if (!arg_ll(c, i, &id, "ERR Invalid client ID"))
            return 0;
    return 1;
}

/* CLIENT LIST [TYPE normal|master|replica|pubsub] [ID client-id [client-id ...]] */
static void client_list_command(struct cmd_ctx *c)
{
    enum client_type type = TYPE_UNKNOWN;   /* any */
    int first_id = 0;
    if (c->argc == 4 && arg_is(c, 2, "type")) {
        if ((type = type_by_name(c, 3)) == TYPE_UNKNOWN)
            return;
    } else if (c->argc >= 4 && arg_is(c, 2, "id")) {
        if (!ids_valid(c, 3))
            return;
        first_id = 3;
    } else if (c->argc != 2) {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    if (c->client)
        registry_note_command(c->client->record, c->cmd);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        reply_error(c->reply, "ERR out of memory");
        return;
    }
    list_clients(c, f, type, first_id);
    fclose(f);
    reply_text(c, text, len);
}

/* CLIENT INFO */
static void client_info_command(struct cmd_ctx *c)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        reply_error(c->reply, "ERR out of memory");
        return;
    }
    registry_note_command(c->client->record, c->cmd);
    append_line(f, c->client->record, c);
    fclose(f);
    reply_text(c, text, len);
}

/* ---- CLIENT KILL ---- */

struct kill_filter {
    uint64_t id;                    /* 0: any */
    const char *addr, *laddr;       /* NULL: any */
    size_t addrlen, laddrlen;
    enum client_type type;          /* TYPE_UNKNOWN: any */
    long long maxage;               /* seconds, 0: any */
    int skipme;
};

static int filter_matches(const struct kill_filter *k, const struct client_record *r, const struct cmd_ctx *c)
{
    if (k->id && r->id != k->id)
        return 0;
    if (k->addr && !(strlen(r->addr) == k->addrlen && memcmp(r->addr, k->addr, k->addrlen) == 0))
        return 0;
    if (k->laddr && !(strlen(r->laddr) == k->laddrlen && memcmp(r->laddr, k->laddr, k->laddrlen) == 0))
        return 0;
    if (k->type != TYPE_UNKNOWN && record_type(r) != k->type)
        return 0;
    if (k->maxage && (db_wall_ms() - r->created_ms) / 1000 <= k->maxage)
        return 0;
    return !(k->skipme && c->client && r == c->client->record);
}

/* Closes the client of record r (any worker's); the caller itself after its reply. */
static void kill_record(struct cmd_ctx *c, struct client_record *r)
{
    if (c->client && r == c->client->record) {
        c->client->flags |= CLIENT_CLOSE_AFTER_REPLY;
        return;
    }
    uint64_t id = r->id, one = 1;
    __atomic_store_n(&r->kill, 1, __ATOMIC_RELEASE);
    if (__atomic_load_n(&r->id, __ATOMIC_ACQUIRE) != id) {
        __atomic_store_n(&r->kill, 0, __ATOMIC_RELEASE);    /* gone meanwhile, record reused */
        return;
    }
    ssize_t w = write(shm_header()->workers[r->slot].event_fd, &one, sizeof(one));
    (void)w;
}

/* Kills every client the filter matches; returns how many. */
static long long kill_matching(struct cmd_ctx *c, const struct kill_filter *k)
{
    long long killed = 0;
    for (uint32_t i = 0; i < registry_capacity(); i++) {
        struct client_record *r = registry_at(i);
        if (r->id && filter_matches(k, r, c)) {
            kill_record(c, r);
            killed++;
        }
    }
    return killed;
}

/* Parses one "option value" pair of the new CLIENT KILL form; replies and returns 0
 * on error. */
static int parse_kill_option(struct cmd_ctx *c, int i, struct kill_filter *k)
{
    long long v;
    if (arg_is(c, i, "id")) {
        if (!string2ll(c->argv[i + 1], c->argvlen[i + 1], &v) || v <= 0) {
            reply_error(c->reply, "ERR client-id should be greater than 0");
            return 0;
        }
        k->id = (uint64_t)v;
    } else if (arg_is(c, i, "type")) {
        if ((k->type = type_by_name(c, i + 1)) == TYPE_UNKNOWN)
            return 0;
    } else if (arg_is(c, i, "addr")) {
        k->addr = c->argv[i + 1];
        k->addrlen = c->argvlen[i + 1];
    } else if (arg_is(c, i, "laddr")) {
        k->laddr = c->argv[i + 1];
        k->laddrlen = c->argvlen[i + 1];
    } else if (arg_is(c, i, "user")) {
        if (!(c->argvlen[i + 1] == 7 && memcmp(c->argv[i + 1], "default", 7) == 0)) {
            reply_errorf(c->reply, "ERR No such user '%.*s'", (int)c->argvlen[i + 1], c->argv[i + 1]);
            return 0;
        }
    } else if (arg_is(c, i, "skipme") && (arg_is(c, i + 1, "yes") || arg_is(c, i + 1, "no"))) {
        k->skipme = arg_is(c, i + 1, "yes");
    } else if (arg_is(c, i, "maxage")) {
        if (!arg_ll(c, i + 1, &v, "ERR maxage is not an integer or out of range"))
            return 0;
        if (v <= 0) {
            reply_error(c->reply, ERR_SYNTAX);
            return 0;
        }
        k->maxage = v;
    } else {
        reply_error(c->reply, ERR_SYNTAX);
        return 0;
    }
    return 1;
}

/* CLIENT KILL ip:port
 * CLIENT KILL [ID id] [TYPE type] [ADDR ip:port] [LADDR ip:port] [USER name]
 *             [SKIPME yes|no] [MAXAGE seconds] ... */
static void client_kill_command(struct cmd_ctx *c)
{
    struct kill_filter k = { .type = TYPE_UNKNOWN, .skipme = 1 };
    if (c->argc == 3) {
        k.addr = c->argv[2];
        k.addrlen = c->argvlen[2];
        k.skipme = 0;
        if (kill_matching(c, &k))
            reply_ok(c->reply);
        else
            reply_error(c->reply, ERR_NO_CLIENT);
        return;
    }
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) {
            reply_error(c->reply, ERR_SYNTAX);
            return;
        }
        if (!parse_kill_option(c, i, &k))
            return;
    }
    reply_int(c->reply, kill_matching(c, &k));
}

/* ---- the small ones ---- */

/* CLIENT ID */
static void client_id_command(struct cmd_ctx *c) { reply_int(c->reply, (long long)c->client->id); }

/* CLIENT SETNAME connection-name */
static void client_setname_command(struct cmd_ctx *c)
{
    if (!client_name_valid(c, c->argv[2], c->argvlen[2]))
        return;
    client_set_name(c, c->argv[2], c->argvlen[2]);
    reply_ok(c->reply);
}

/* CLIENT GETNAME */
static void client_getname_command(struct cmd_ctx *c)
{
    size_t len;
    const char *name = registry_name(c->client->record, &len);
    if (len)
        reply_bulk(c->reply, name, len);
    else
        reply_null(c->reply);
}

/* ---- CLIENT PAUSE / UNPAUSE / NO-EVICT ---- */

/* CLIENT PAUSE timeout [WRITE|ALL] */
static void client_pause_command(struct cmd_ctx *c)
{
    enum pause_type type = PAUSE_ALL;
    long long ms;
    if (c->argc > 4) {
        reply_errorf(c->reply, "ERR unknown subcommand or wrong number of arguments for '%.*s'. "
                     "Try CLIENT HELP.", (int)(c->argvlen[1] > 128 ? 128 : c->argvlen[1]), c->argv[1]);
        return;
    }
    if (c->argc == 4 && arg_is(c, 3, "write")) {
        type = PAUSE_WRITE;
    } else if (c->argc == 4 && !arg_is(c, 3, "all")) {
        reply_error(c->reply, "ERR CLIENT PAUSE mode must be WRITE or ALL");
        return;
    }
    if (!arg_ll(c, 2, &ms, "ERR timeout is not an integer or out of range"))
        return;
    if (ms < 0) {
        reply_error(c->reply, "ERR timeout is negative");
        return;
    }
    pause_start(ms ? db_wall_ms() + ms : 0, type);
    reply_ok(c->reply);
}

/* CLIENT UNPAUSE */
static void client_unpause_command(struct cmd_ctx *c)
{
    pause_stop();
    reply_ok(c->reply);
}

/* CLIENT NO-EVICT ON|OFF */
static void client_no_evict_command(struct cmd_ctx *c)
{
    struct client *cl = c->client;
    if (arg_is(c, 2, "on"))
        cl->flags |= CLIENT_NO_EVICT;
    else if (arg_is(c, 2, "off"))
        cl->flags &= ~CLIENT_NO_EVICT;
    else {
        reply_error(c->reply, ERR_SYNTAX);
        return;
    }
    cl->record->flags = (cl->record->flags & ~CLIENT_NO_EVICT) | (cl->flags & CLIENT_NO_EVICT);
    reply_ok(c->reply);
}

static const char *const client_help_lines[] = {
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "INFO",
    "    Return information about the current client connection.",
    "KILL <ip:port>",
    "    Kill connection made from <ip:port>.",
    "KILL <option> <value> [<option> <value> [...]]",
    "    Kill connections. Options are:",
    "    * ADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made from the specified address",
    "    * LADDR (<ip:port>|<unixsocket>:0)",
    "      Kill connections made to specified local address",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Kill connections by type.",
    "    * USER <username>",
    "      Kill connections authenticated by <username>.",
    "    * SKIPME (YES|NO)",
    "      Skip killing current connection (default: yes).",
    "    * MAXAGE <maxage>",
    "      Kill connections older than the specified age.",
    "LIST [options ...]",
    "    Return information about client connections. Options:",
    "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
    "      Return clients of specified type.",
    "UNPAUSE",
    "    Stop the current client pause, resuming traffic.",
    "PAUSE <timeout> [WRITE|ALL]",
    "    Suspend all, or just write, clients for <timeout> milliseconds.",
    "REPLY (ON|OFF|SKIP)",
    "    Control the replies sent to the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "NO-EVICT (ON|OFF)",
    "    Protect current client connection from eviction.",
    NULL
};

/* CLIENT HELP */
static void client_help_command(struct cmd_ctx *c) { server_reply_help(c, client_help_lines); }

#define CLIENT_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CLIENT_ADMIN (CMD_ADMIN | CLIENT_FLAGS)
#define CLIENTSUB(name, proc, arity, flags, since, summary, complexity, acl) \
    { name, proc, arity, flags, 0, 0, 0, "connection", since, summary, complexity, acl, NULL, NULL }
#define ACL_CLIENT "@slow @connection"
#define ACL_CLIENT_ADMIN "@admin @slow @dangerous @connection"

static struct command client_subcommands[] = {
    CLIENTSUB("id", client_id_command, 2, CLIENT_FLAGS | CMD_NOLOCK, "5.0.0",
              "Returns the client ID for the current connection", "O(1)", ACL_CLIENT),
    CLIENTSUB("setname", client_setname_command, 3, CLIENT_FLAGS, "2.6.9", "Set the current connection name",
              "O(1)", ACL_CLIENT),
    CLIENTSUB("getname", client_getname_command, 2, CLIENT_FLAGS | CMD_NOLOCK, "2.6.9",
              "Get the current connection name", "O(1)", ACL_CLIENT),
    CLIENTSUB("list", client_list_command, -2, CLIENT_ADMIN, "2.4.0", "Get the list of client connections",
              "O(N) where N is the number of client connections", ACL_CLIENT_ADMIN),
    CLIENTSUB("info", client_info_command, 2, CLIENT_FLAGS | CMD_NOLOCK, "6.2.0",
              "Returns information about the current client connection.", "O(1)", ACL_CLIENT),
    CLIENTSUB("kill", client_kill_command, -3, CLIENT_ADMIN, "2.4.0", "Kill the connection of a client",
              "O(N) where N is the number of client connections", ACL_CLIENT_ADMIN),
    CLIENTSUB("pause", client_pause_command, -3, CLIENT_ADMIN, "2.9.50",
              "Stop processing commands from clients for some time", "O(1)", ACL_CLIENT_ADMIN),
    CLIENTSUB("unpause", client_unpause_command, 2, CLIENT_ADMIN, "6.2.0",
              "Resume processing of clients that were paused", "O(N) Where N is the number of paused clients",
              ACL_CLIENT_ADMIN),
    CLIENTSUB("no-evict", client_no_evict_command, 3, CLIENT_ADMIN | CMD_NOLOCK, "7.0.0",
              "Set client eviction mode for the current connection", "O(1)", ACL_CLIENT_ADMIN),
    CLIENTSUB("reply", client_reply_command, 3, CLIENT_FLAGS, "3.2.0",
              "Instruct the server whether to reply to commands", "O(1)", ACL_CLIENT),
    CLIENTSUB("help", client_help_command, 2, CMD_LOADING | CMD_STALE | CMD_NOLOCK, "5.0.0",
              "Show helpful text about the different subcommands", "O(1)", ACL_CLIENT),
    { 0 }
};

const struct command client_commands[] = {
    { "client", NULL, -2, 0, 0, 0, 0, "connection", "2.4.0", "A container for client connection commands",
      "Depends on subcommand.", "@slow", client_subcommands, NULL },
    { 0 }
};
