/* worker/client_map.h - this worker's clients by id, so a message from the inbox
 * (pub/sub delivery, a blocked client's reply) finds its receiver in O(1) instead of
 * walking every connection.
 *
 * Invariant: a client is in the map exactly from accept to close (worker.c). */
#ifndef WORKER_CLIENT_MAP_H
#define WORKER_CLIENT_MAP_H

#include <stdint.h>

struct client;

void client_map_put(struct client *c);
void client_map_del(uint64_t id);
/* The live client with this id on this worker, or NULL. */
struct client *client_map_get(uint64_t id);

#endif
