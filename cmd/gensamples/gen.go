package main

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
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
	// join marks the sign-ins of the audit samples (audit.go): their records carry every
	// member a directory change joins on that their shape has (the device's display name
	// and the conditional access policies applied), which the other samples leave as they
	// were written before the audit join existed.
	join     bool
	policies []caPolicy
}

// day is the day the samples cover.
var day = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

type gen struct {
	seed  uint64
	r     *rand.Rand
	n     int
	start time.Time
	span  time.Duration // what the events of one call to events spread over
	// distinct (-distinct) makes the in-scope events a mass revocation: each has a user,
	// an IP address and an id of its own; own counts them.
	distinct bool
	own      uint64
}

func newGen(seed uint64) *gen {
	return &gen{seed: seed, r: rand.New(rand.NewPCG(seed, 0x6772616e74737765)), start: day, span: 24 * time.Hour}
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

// events returns n events in time order over g.span, about share of them in scope. With
// cover, the first in-scope events take one scenario of each family (which one depends on
// the seed), so that even a small file has every family and the sample set has every
// cause. With g.distinct, the in-scope events are drawn from massRevocation instead and
// cover is ignored.
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
	if cover && !g.distinct {
		first = g.oneOfEachFamily()
	}
	k := 0
	step := g.span / time.Duration(max(n, 1))
	if step > 20*time.Minute {
		step = 20 * time.Minute
	}
	for i := range evs {
		var sc scenario
		if inScopeAt[i] {
			if g.distinct {
				sc = weighted(g.r, massRevocation)
			} else if k < len(first) {
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
	if g.distinct && e.cause != "" {
		g.ownIdentity(&e)
	}
	return e
}

// ownIdentity gives an in-scope event a user (UPN, display name, id), an IP address and an
// event id that no other event of this generator has, nor of one whose seed differs in its
// low 32 bits: the n-th such event's values are made of n and the seed, through bijections
// so that they look as random as real ones. The city and country stay the drawn place's.
func (g *gen) ownIdentity(e *event) {
	g.own++
	n, s := g.own, uint32(g.seed)
	e.id = g.ownUUID(n, s, 0x9e3779b97f4a7c15)
	e.user = person{
		upn:  fmt.Sprintf("user%d-%07d@contoso.com", g.seed, n),
		name: fmt.Sprintf("User %d-%07d", g.seed, n),
		id:   g.ownUUID(n, s, 0xbf58476d1ce4e5b9),
	}
	// 2001:db8::/32, the documentation prefix, then the seed, 16 random bits and n.
	var a [16]byte
	hi := 0x20010db8<<32 | uint64(scramble32(s, 0x94d049bb))
	lo := uint64(g.r.Uint32()&0xffff)<<48 | scramble48(n, 0xd6e8feb86659fd93)
	for i := range 8 {
		a[i], a[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	e.place.ip = netip.AddrFrom16(a).String()
}

// ownUUID is a version 4 UUID holding n in its first 48 bits and the seed s in its last
// 32, each scrambled by a bijection keyed by k, the bits between random.
func (g *gen) ownUUID(n uint64, s uint32, k uint64) string {
	a, b := scramble48(n, k), scramble32(s, uint32(k>>32))
	r := g.r.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%04x%08x", a>>16, a&0xffff, r&0xfff, (r>>12)&0x3fff|0x8000, (r>>26)&0xffff, b)
}

// scramble48 is a bijection of the numbers below 2^48 (n's higher bits are dropped):
// multiplications by odd numbers and xor-shifts, each invertible modulo 2^48.
func scramble48(n, k uint64) uint64 {
	const m = 1<<48 - 1
	n = n * (k | 1) & m
	n ^= n >> 23
	n = n * 0x2545f4914f6cdd1d & m
	return n ^ n>>25
}

// scramble32 is scramble48's counterpart for 32 bits.
func scramble32(n, k uint32) uint32 {
	n ^= k
	n *= 0x85ebca6b
	n ^= n >> 13
	n *= 0xc2b2ae35
	return n ^ n>>16
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
