package worker

import (
	"github.com/moonbridge-go/moonbridge/runtime/ipc"
	"github.com/moonbridge-go/moonbridge/stdlib/mbio"
)

// handoff lets moonbridge_http hand the connections of one listener back
// to the master (mbio.Handoff): it tells the master that the listener
// serves HTTP, once per worker unless the times change, and parks
// keep-alive connections between requests.
type handoff struct {
	w        *worker
	listener int
	told     *ipc.HoldTimes // what the master was told last; nil: nothing yet
}

func holdTimes(t mbio.HTTPTimes) ipc.HoldTimes {
	return ipc.HoldTimes{Idle: t.Idle, Header: t.Header}
}

// ServesHTTP implements mbio.Handoff.
func (h *handoff) ServesHTTP(t mbio.HTTPTimes) {
	times := holdTimes(t)
	if h.told != nil && *h.told == times {
		return
	}
	if h.w.opts.Control.Send(ipc.Msg{Kind: ipc.Hold, Listener: h.listener, FD: -1, Times: times}) == nil {
		h.told = &times
	}
}

// Park implements mbio.Handoff.
func (h *handoff) Park(fd int, t mbio.HTTPTimes) error {
	times := holdTimes(t)
	if err := h.w.opts.Control.Send(ipc.Msg{Kind: ipc.Park, Listener: h.listener, FD: fd, Times: times}); err != nil {
		return err
	}
	h.told = &times // a Park tells it too
	return nil
}

// Crowded implements mbio.Handoff: the master says whether jobs of the
// pool wait for a worker.
func (h *handoff) Crowded() bool {
	return h.w.opts.Deadline != nil && h.w.opts.Deadline.Crowded()
}

// handoffFor returns the handoff of a listener's connections.
func (w *worker) handoffFor(listener int) *handoff {
	if w.handoffs == nil {
		w.handoffs = map[int]*handoff{}
	}
	h := w.handoffs[listener]
	if h == nil {
		h = &handoff{w: w, listener: listener}
		w.handoffs[listener] = h
	}
	return h
}
