package jobs

import (
	"encoding/json"
	"github.com/aegis-sec/aegis/collections"
	"sync"
	"time"

	"github.com/pocketbase/pocketbase/apis"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/subscriptions"
)

// publisher writes a run's record and keeps subscribers up to date.
//
// Progress is saved to job_runs at most every ProgressInterval, and each
// save reaches realtime subscribers through PocketBase's own record events.
// An import writes inside one transaction, though, and SQLite has one
// writer: while the transaction is open the save waits. So when a save is
// still pending at the next tick, the publisher sends the progress straight
// to the subscribers of job_runs instead (same message shape, same access
// rule), and the record catches up when the transaction commits.
type publisher struct {
	app core.App
	job Job
	run *Run

	recMu sync.Mutex // guards rec and serialises saves
	rec   *core.Record

	shadowMu sync.Mutex
	shadow   *core.Record // copy of rec as of its last change, for broadcasts

	persist chan struct{} // capacity 1: a save is requested
	stop    chan struct{}
	tickers sync.WaitGroup // ticker and heartbeat
	saving  sync.WaitGroup // saver
}

func newPublisher(app core.App, job Job, rec *core.Record, run *Run) *publisher {
	p := &publisher{app: app, job: job, run: run, rec: rec, shadow: rec.Fresh(),
		persist: make(chan struct{}, 1), stop: make(chan struct{})}
	p.saving.Add(1)
	p.tickers.Add(2)
	go p.saver()
	go p.ticker()
	go p.heartbeat()
	return p
}

// save applies mutate to the record, adds the current progress and log,
// and writes it (blocking while another transaction holds the writer).
func (p *publisher) save(mutate func(rec *core.Record)) {
	p.recMu.Lock()
	defer p.recMu.Unlock()
	mutate(p.rec)
	prog, log := p.run.state()
	jr := collections.AsJobRun(p.rec)
	jr.SetProgress(prog)
	jr.SetLog(log)
	p.shadowMu.Lock()
	p.shadow = p.rec.Fresh()
	p.shadowMu.Unlock()
	if err := p.app.Save(p.rec); err != nil {
		p.app.Logger().Error("save job run", "job", p.job.Name, "run", p.rec.Id, "error", err)
	}
}

func (p *publisher) saver() {
	defer p.saving.Done()
	for range p.persist {
		p.save(func(*core.Record) {})
	}
}

func (p *publisher) ticker() {
	defer p.tickers.Done()
	tick := time.NewTicker(ProgressInterval)
	defer tick.Stop()
	var seen uint64
	for {
		select {
		case <-p.stop:
			return
		case <-tick.C:
			v := p.run.changes()
			if v == seen {
				continue
			}
			seen = v
			select {
			case p.persist <- struct{}{}:
			default:
				// The previous save is still waiting for the writer.
				p.broadcast()
			}
		}
	}
}

func (p *publisher) heartbeat() {
	defer p.tickers.Done()
	beat := time.NewTicker(leaseTTL / 4)
	defer beat.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-beat.C:
			if ok, err := renewLease(p.app, p.job.Name, p.rec.Id); err != nil || !ok {
				p.app.Logger().Warn("renew job lease", "job", p.job.Name, "run", p.rec.Id, "held", ok, "error", err)
			}
		}
	}
}

// close stops the background writers after a last pending save. The
// ticker is the only sender on persist, so it stops before persist closes.
func (p *publisher) close() {
	close(p.stop)
	p.tickers.Wait()
	close(p.persist)
	p.saving.Wait()
}

// broadcast sends the run as it is now to the realtime subscribers of
// job_runs that may see it, as an "update" record event. Sends are
// synchronous, like PocketBase's own, so they cannot overtake the event of
// the run's final save.
func (p *publisher) broadcast() {
	broker := p.app.SubscriptionsBroker()
	if broker.TotalClients() == 0 {
		return
	}
	p.shadowMu.Lock()
	rec := p.shadow.Fresh()
	p.shadowMu.Unlock()
	prog, log := p.run.state()
	jr := collections.AsJobRun(rec)
	jr.SetProgress(prog)
	jr.SetLog(log)
	col := rec.Collection()
	data, err := json.Marshal(map[string]any{"action": "update", "record": rec})
	if err != nil {
		return
	}
	topics := map[string]*string{
		col.Name + "/" + rec.Id + "?": col.ViewRule, col.Id + "/" + rec.Id + "?": col.ViewRule,
		col.Name + "/*?": col.ListRule, col.Id + "/*?": col.ListRule,
		col.Name + "?": col.ListRule, col.Id + "?": col.ListRule,
	}
	for _, client := range broker.Clients() {
		auth, _ := client.Get(apis.RealtimeClientAuthKey).(*core.Record)
		for prefix, rule := range topics {
			for sub, opts := range client.Subscriptions(prefix) {
				info := &core.RequestInfo{Context: core.RequestInfoContextRealtime, Method: "GET",
					Query: opts.Query, Headers: opts.Headers, Auth: auth}
				if ok, err := p.app.CanAccessRecord(rec, info, rule); err != nil || !ok {
					continue
				}
				client.Send(subscriptions.Message{Name: sub, Data: data})
			}
		}
	}
}
