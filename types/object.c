/* types/object.c - shared helpers of the data-type commands (see object.h). */
#include "keyspace/notify.h"
#include "shm/undo.h"
#include "types/object.h"

static struct kv *check_type(struct cmd_ctx *c, struct kv *kv, enum kv_type type, int *wrongtype)
{
    int wrong = kv && kv->type != type;
    if (wrongtype)
        *wrongtype = wrong;
    if (wrong) {
        reply_error(c->reply, ERR_WRONGTYPE);
        return NULL;
    }
    return kv;
}

struct kv *obj_lookup_read(struct cmd_ctx *c, int argi, enum kv_type type, int *wrongtype)
{
    return check_type(c, db_lookup_read(c->db, c->argv[argi], c->argvlen[argi]), type, wrongtype);
}

struct kv *obj_lookup_write(struct cmd_ctx *c, int argi, enum kv_type type, int *wrongtype)
{
    return check_type(c, db_lookup_write(c->db, c->argv[argi], c->argvlen[argi]), type, wrongtype);
}

void obj_set_value(struct kv *kv, shm_off_t obj, enum kv_enc enc)
{
    undo_save(kv_payload(kv), sizeof(obj));
    memcpy(kv_payload(kv), &obj, sizeof(obj));
    if (kv->enc != enc)
        UNDO_SET(kv->enc, (uint8_t)enc);
}

void obj_delete_if_empty(struct cmd_ctx *c, int argi, uint64_t length)
{
    if (length == 0 && db_delete(c->db, c->argv[argi], c->argvlen[argi]))
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->dbid, c->argv[argi], c->argvlen[argi]);
}
