/* checkin.h - the check-in decision of DESIGN §4 as a pure function: scanned ticket + transports -> status. */
#ifndef HW_CHECKIN_H
#define HW_CHECKIN_H

#include <stdbool.h>
#include <stdint.h>

typedef enum checkin_status {
    CHECKIN_OK = 0,
    CHECKIN_ALREADY_BOARDED,
    CHECKIN_WRONG_TRANSPORT,
    CHECKIN_NOT_OPEN,
    CHECKIN_CLOSED,
    CHECKIN_CANCELLED,
    CHECKIN_UNKNOWN,
} checkin_status;

/* A transport as the decision sees it. Plain values. */
typedef struct checkin_transport {
    int64_t id;
    char ref[64];
    char label[64];
    char depart_at[32];
    char origin[64];
    char gate[32];
    char status[12]; /* planned, confirmed, boarding, departed, arrived, cancelled */
} checkin_transport;

/* A ticket as the decision sees it. Plain values. */
typedef struct checkin_ticket {
    int64_t id;
    int64_t transport_id;
    char status[12]; /* issued, boarded, no_show, cancelled */
} checkin_ticket;

/* Everything one decision needs; the pointers are borrowed for the call only. */
typedef struct checkin_input {
    const checkin_ticket *ticket;              /* NULL: no such ticket or registration */
    const checkin_transport *ticket_transport; /* the ticket's own transport (required with a ticket) */
    const checkin_transport *boarding;         /* the transport the staff member is boarding (required) */
    bool window_open;                          /* the clock is inside the boarding window (confirmed counts then) */
    const char *boarded_at;                    /* the earliest existing boarding of the ticket, or NULL */
    const char *boarded_device;                /* its device ("" or NULL when unknown) */
    int64_t event_time;                        /* the scan's client time (epoch seconds), -1 when unknown */
    int64_t boarded_time;                      /* the existing boarding's time, -1 when unknown */
} checkin_input;

/* The outcome. `right` points into the input (the ticket's transport) for wrong_transport, else NULL. */
typedef struct checkin_decision {
    checkin_status status;
    const checkin_transport *right;
    const char *message; /* static "中文 (English)" text */
    bool supersedes;     /* ok for a scan older than the boarding on record: it becomes the boarding */
} checkin_decision;

/*
 * Decide one scan. Order: unknown, cancelled (the ticket or its transport),
 * wrong_transport, already_boarded, closed (departed/arrived, or a no-show ticket),
 * not_open (planned/confirmed outside the window), ok. A transport whose status is
 * `boarding` is open whatever the clock says. The earliest scan wins even across offline
 * uploads: a scan whose time is before the recorded boarding's time is decided as if the
 * ticket were not boarded, and an ok then `supersedes` the record. Pure; keeps no pointer
 * except `right`.
 */
checkin_decision checkin_decide(const checkin_input *in);

/* The status as the API writes it ("ok", "already_boarded"...). Static string. */
const char *checkin_status_name(checkin_status s);

#endif
