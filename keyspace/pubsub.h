/* keyspace/pubsub.h - the pub/sub registry in the arena: which clients, of which
 * worker slots, are subscribed to which channels, patterns and shard channels; and
 * PUBLISH, which hands every receiver's message to its worker's inbox.
 *
 * A published message travels as one inbox message (INBOX_PUSH) per receiving worker
 * and payload: a struct pubsub_delivery naming the receiving clients, followed by the
 * payload encoded as a RESP3 push of bulk strings (">3 message ch msg").  Its RESP2
 * form differs only in the first byte ('*'), so the receiving worker writes the form
 * of the client's protocol at delivery time.
 *
 * Invariants (keyspace lock held; every change inside a write):
 *  - header.pubsub_off is 0 until the first subscription, then the root.
 *  - A subscription (client, kind, name) exists at most once; it is in its channel's
 *    subscriber list and in its client's list of that kind, both in subscription order.
 *  - A channel (or pattern) entry exists exactly while it has subscribers; a client
 *    entry exactly while it has a subscription, and it is in its slot's client list.
 *  - Pattern entries are also in one list, in creation order, which PUBLISH walks.
 */
#ifndef KEYSPACE_PUBSUB_H
#define KEYSPACE_PUBSUB_H

#include <stddef.h>
#include <stdint.h>

enum pubsub_kind { PUBSUB_CHANNEL, PUBSUB_PATTERN, PUBSUB_SHARD, PUBSUB_KINDS };

/* Head of an INBOX_PUSH message's data; the payload follows the ids. */
struct pubsub_delivery {
    uint32_t nids;
    uint32_t payload_len;
    uint64_t ids[];
};

static inline const char *pubsub_delivery_payload(const struct pubsub_delivery *d)
{
    return (const char *)&d->ids[d->nids];
}

/* Registers the dict type (every process, before use: at startup, before fork). */
void pubsub_register_types(void);

/* Subscribes a client of worker slot; 1 if new, 0 if it already was.  In a write. */
int pubsub_subscribe(uint64_t client_id, int slot, enum pubsub_kind kind, const char *name, size_t len);
/* Unsubscribes; 1 if it was subscribed.  In a write. */
int pubsub_unsubscribe(uint64_t client_id, enum pubsub_kind kind, const char *name, size_t len);
/* Unsubscribes from every name of kind in subscription order, calling fn after each
 * (the name stays readable until the write commits).  Returns how many.  In a write. */
typedef void pubsub_name_fn(const char *name, size_t len, void *arg);
uint64_t pubsub_unsubscribe_all(uint64_t client_id, enum pubsub_kind kind, pubsub_name_fn *fn, void *arg);
/* Subscriptions of kind the client has. */
uint32_t pubsub_client_count(uint64_t client_id, enum pubsub_kind kind);
/* Drops every subscription of a client (disconnect), or of every client of a slot (a
 * respawned worker cleaning after the dead one).  In a write. */
void pubsub_client_gone(uint64_t client_id);
void pubsub_release_slot(int slot);

/* Delivers msg to the subscribers of channel (PUBLISH: channel and matching pattern
 * subscribers; shard: SPUBLISH, shard channel subscribers only); returns how many
 * receivers there were.  In a write. */
long long pubsub_publish(int shard, const char *channel, size_t clen, const char *msg, size_t mlen);

/* Introspection.  Calls fn for each channel (or shard channel) with subscribers
 * whose name matches pattern (NULL: all). */
void pubsub_channels(int shard, const char *pattern, size_t plen, pubsub_name_fn *fn, void *arg);
/* Subscribers of a channel (or shard channel), patterns not counted. */
uint64_t pubsub_numsub(int shard, const char *channel, size_t len);
/* Distinct patterns with subscribers. */
uint64_t pubsub_numpat(void);
/* Channels (or shard channels) with subscribers (INFO pubsub_channels). */
uint64_t pubsub_numchannels(int shard);

/* Debug consistency check of the invariants above (tests call it after each step);
 * 0 when consistent, else -1 with a description in err. */
int pubsub_check(char *err, size_t errlen);
#endif
