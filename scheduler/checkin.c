/* checkin.c - the pure check-in decision (DESIGN §4): no SQLite, no clock, no I/O. */
#include "checkin.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>

const char *checkin_status_name(checkin_status s)
{
    static const char *const names[] = {"ok",     "already_boarded", "wrong_transport", "not_open",
                                        "closed", "cancelled",       "unknown"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

static bool is(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static checkin_decision make(checkin_status s, const char *message)
{
    return (checkin_decision){.status = s, .right = NULL, .message = message};
}

/* Open: `boarding` (set by a coordinator or the lifecycle timer), or confirmed inside the window. */
static bool transport_open(const checkin_transport *t, bool window_open)
{
    return is(t->status, "boarding") || (is(t->status, "confirmed") && window_open);
}

/* The boarded transport's state for a ticket that is on it and not boarded: closed, not_open or ok. */
static checkin_decision by_state(const checkin_ticket *k, const checkin_transport *b, bool window_open)
{
    if (is(b->status, "departed") || is(b->status, "arrived"))
        return make(CHECKIN_CLOSED, "已发车,检票结束 (the transport has departed)");
    if (is(k->status, "no_show"))
        return make(CHECKIN_CLOSED, "已按未到处理 (marked as no-show)");
    if (!transport_open(b, window_open))
        return make(CHECKIN_NOT_OPEN, "尚未开始检票 (boarding has not opened yet)");
    return make(CHECKIN_OK, "请上车 (please board)");
}

checkin_decision checkin_decide(const checkin_input *in)
{
    assert(in != NULL && in->boarding != NULL);
    const checkin_ticket *k = in->ticket;
    const checkin_transport *b = in->boarding;
    if (k == NULL || in->ticket_transport == NULL)
        return make(CHECKIN_UNKNOWN, "查无此票或此人 (no such ticket or registration)");
    if (is(k->status, "cancelled"))
        return make(CHECKIN_CANCELLED, "此票已作废 (the ticket was cancelled)");
    if (is(in->ticket_transport->status, "cancelled"))
        return make(CHECKIN_CANCELLED, "此票的运力已取消 (the ticket's transport was cancelled)");
    if (k->transport_id != b->id) {
        checkin_decision d = make(CHECKIN_WRONG_TRANSPORT, "不是这班车的票 (the ticket is for another transport)");
        d.right = in->ticket_transport;
        return d;
    }
    bool boarded = in->boarded_at != NULL || is(k->status, "boarded");
    bool earlier = boarded && in->event_time >= 0 && in->boarded_time >= 0 && in->event_time < in->boarded_time;
    checkin_decision d = by_state(k, b, in->window_open);
    if (boarded && (!earlier || d.status != CHECKIN_OK))
        return make(CHECKIN_ALREADY_BOARDED, "此票已检过 (already boarded)");
    d.supersedes = earlier;
    return d;
}
