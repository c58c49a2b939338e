package main

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// event is one generated sign-in, before it is written in some export shape.
type event struct {
	time                   time.Time
	id, correlationID      string
	user                   person
	app                    app
	resource               resource
	place                  place
	device                 device
	nonInteractive         bool
	code                   int
	reason, details        string
	cause                  string // expected cause under the default rules, "" out of scope
	incomingTokenType      string
	tpStatus               string
	tpCode                 int
	uniqueTokenID          string
	deviceID, deviceName   string
	topCorrelationIDDiffer bool
}

// day is the day the samples cover.
var day = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

type gen struct {
	seed  uint64
	r     *rand.Rand
	n     int
	start time.Time
}

func newGen(seed uint64) *gen {
	return &gen{seed: seed, r: rand.New(rand.NewPCG(seed, 0x6772616e74737765)), start: day}
}

func (g *gen) uuid() string {
	a, b := g.r.Uint64(), g.r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, (a>>16)&0xffff, a&0xfff, (b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}

func pick[T any](r *rand.Rand, l []T) T { return l[r.IntN(len(l))] }

func weighted(r *rand.Rand, l []scenario) scenario {
	total := 0
	for _, s := range l {
		total += s.weight
	}
	n := r.IntN(total)
	for _, s := range l {
		if n < s.weight {
			return s
		}
		n -= s.weight
	}
	return l[len(l)-1]
}

// events returns n events in time order, about share of them in scope. With cover, the
// first in-scope events take one scenario of each family (which one depends on the seed),
// so that even a small file has every family and the sample set has every cause.
func (g *gen) events(n int, share float64, cover bool) []event {
	evs := make([]event, n)
	want := int(float64(n)*share + 0.5)
	if share > 0 && want == 0 {
		want = 1
	}
	// Choose which positions are in scope, spread over the file.
	inScopeAt := make([]bool, n)
	for _, i := range g.r.Perm(n)[:min(want, n)] {
		inScopeAt[i] = true
	}
	var first []scenario
	if cover {
		first = g.oneOfEachFamily()
	}
	k := 0
	step := 24 * time.Hour / time.Duration(max(n, 1))
	if step > 20*time.Minute {
		step = 20 * time.Minute
	}
	for i := range evs {
		var sc scenario
		if inScopeAt[i] {
			if k < len(first) {
				sc = first[k]
			} else {
				sc = weighted(g.r, inScope)
			}
			k++
		} else {
			sc = weighted(g.r, outOfScope)
		}
		at := g.start.Add(time.Duration(i)*step + time.Duration(g.r.Int64N(int64(step))))
		evs[i] = g.event(sc, at)
	}
	g.start = g.start.Add(time.Duration(n) * step)
	return evs
}

// families maps each cause to its family, as the default rules do.
var families = map[string]string{
	"binding_header_empty": "binding", "binding_hash_mismatch": "binding", "session_key_proof_failed": "binding",
	"bound_token_outside_broker": "binding", "token_protection_unbound": "binding", "device_not_found": "binding",
	"expired_inactivity": "expired", "expired_max_lifetime": "expired", "expired_spa_lifetime": "expired",
	"expired_signin_frequency": "expired", "revoked": "revoked", "revoked_password_change": "revoked",
	"code_invalid": "client_error", "scope_not_granted": "client_error", "interaction_required": "client_error",
	"refresh_token_malformed": "client_error", "redirect_uri_mismatch": "client_error", "wrong_tenant": "client_error",
	"wrong_client": "client_error", "grant_invalid": "unspecified", "invalid_grant_other": "unspecified",
}

// oneOfEachFamily picks, for each family, the scenario at position seed mod the family's
// size, so that files with consecutive seeds go through every scenario.
func (g *gen) oneOfEachFamily() []scenario {
	var out []scenario
	for _, fam := range []string{"binding", "expired", "revoked", "client_error", "unspecified"} {
		var of []scenario
		for _, sc := range inScope {
			if families[sc.cause] == fam {
				of = append(of, sc)
			}
		}
		out = append(out, of[int(g.seed%uint64(len(of)))])
	}
	return out
}

func (g *gen) event(sc scenario, at time.Time) event {
	g.n++
	e := event{
		time:           at.Truncate(100 * time.Nanosecond),
		id:             g.uuid(),
		correlationID:  g.uuid(),
		user:           pick(g.r, people),
		app:            pick(g.r, apps),
		resource:       pick(g.r, resources),
		place:          pick(g.r, places),
		device:         pick(g.r, devices),
		nonInteractive: sc.nonInter,
		code:           sc.code,
		reason:         sc.reason,
		details:        sc.details,
		cause:          sc.cause,
		uniqueTokenID:  fmt.Sprintf("%016x", g.r.Uint64()),
		deviceID:       g.uuid(),
		deviceName:     fmt.Sprintf("CONTOSO-%04d", g.r.IntN(10000)),
	}
	if sc.legacyApps {
		e.app = pick(g.r, legacyApps)
	}
	e.incomingTokenType = "none"
	if e.nonInteractive {
		e.incomingTokenType = pick(g.r, []string{"refreshToken", "refreshToken", "primaryRefreshToken", "none"})
	}
	e.tpStatus, e.tpCode = "none", 0
	if sc.tpStatus != "" {
		e.tpStatus, e.tpCode = sc.tpStatus, pick(g.r, sc.tpCodes)
	} else if g.r.IntN(4) == 0 {
		e.tpStatus = pick(g.r, []string{"bound", "unbound"})
		if e.tpStatus == "unbound" {
			e.tpCode = 1002
		}
	}
	e.topCorrelationIDDiffer = g.r.IntN(5) == 0
	// Failure text can be missing altogether; then code 70000 says nothing more specific.
	if !e.success() && g.r.IntN(10) == 0 {
		e.reason, e.details = "", ""
		if e.code == 70000 {
			e.cause = "grant_invalid"
		}
	}
	return e
}

// signInType names the log the event belongs to, as Graph's signInEventTypes does.
func (e *event) signInType() string {
	if e.nonInteractive {
		return "nonInteractiveUser"
	}
	return "interactiveUser"
}

func (e *event) success() bool { return e.code == 0 }

// logNames are the Log Analytics table and the diagnostic-settings category of the
// event's log.
func (e *event) logNames() (table, category string) {
	if e.nonInteractive {
		return "AADNonInteractiveUserSignInLogs", "NonInteractiveUserSignInLogs"
	}
	return "SigninLogs", "SignInLogs"
}

// signature is the event's resultSignature.
func (e *event) signature() string {
	if e.success() {
		return "SUCCESS"
	}
	return "FAILURE"
}
