package bluesky

import (
	"context"
	"fmt"
	"slices"

	"github.com/lookoutbot/lookout/alerts"
)

// plan is what the stream follows: the bluesky watches, the DIDs of their
// accounts, and how they are spread over connections.
type plan struct {
	watches []*alerts.Watch
	// dids maps a DID to the watches that follow it, with the account as
	// the watch wrote it.
	dids map[string]map[string]string
	// firehose is set when a keyword-only watch needs every post.
	firehose bool
	// always is set when a Jetstream URL is configured.
	always bool
	// chunks are the wantedDids of each connection; one nil chunk is the
	// unfiltered stream.
	chunks [][]string
	// errs are the accounts that could not be resolved, by watch.
	errs map[string]error
}

func (p *plan) streaming() bool { return (p.always || p.firehose) && len(p.chunks) > 0 }

func (p *plan) err(watch string) error {
	if p == nil {
		return nil
	}
	return p.errs[watch]
}

// accountOf returns the account of watch that did is, if any.
func (p *plan) accountOf(watch, did string) (string, bool) {
	a, ok := p.dids[did][watch]
	return a, ok
}

// makePlan lists the enabled bluesky watches and resolves their accounts.
func (s *Stream) makePlan(ctx context.Context, d *Deps) (*plan, error) {
	all, err := d.Watches.List(ctx)
	if err != nil {
		return nil, fmt.Errorf("list watches: %w", err)
	}
	p := &plan{dids: make(map[string]map[string]string), errs: make(map[string]error), always: s.opts.URL != ""}
	for _, w := range all {
		if w.Source != Platform || !w.Enabled {
			continue
		}
		p.watches = append(p.watches, w)
		if len(w.Accounts) == 0 && len(w.Keywords) > 0 {
			p.firehose = true
		}
		for _, a := range w.Accounts {
			did, err := s.w.dir.resolve(ctx, a)
			if err != nil {
				if ctx.Err() != nil {
					return nil, ctx.Err()
				}
				p.errs[w.Name] = err
				continue
			}
			if p.dids[did] == nil {
				p.dids[did] = make(map[string]string)
			}
			p.dids[did][w.Name] = a
		}
	}
	switch {
	case len(p.watches) == 0:
	case p.firehose:
		p.chunks = [][]string{nil}
	default:
		dids := make([]string, 0, len(p.dids))
		for did := range p.dids {
			dids = append(dids, did)
		}
		slices.Sort(dids)
		for chunk := range slices.Chunk(dids, MaxWantedDids) {
			p.chunks = append(p.chunks, chunk)
		}
	}
	return p, nil
}
