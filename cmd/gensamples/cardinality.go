package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
)

// -cardinality gives generated files a tenant's cardinality instead of the sample set's
// dozen users, nine apps and seven addresses: distinct counts and string tables cost more
// as they grow, so a benchmark needs thousands of users and hundreds of apps and IPs.
var cardinality = flag.String("cardinality", "", "with -shape: `USERS,APPS,IPS` drawn from instead of the sample set's (for benchmarks, e.g. 5000,300,800)")

// applyCardinality replaces the people, apps and places events are drawn from with the
// numbers -cardinality asks for, made from the seed (the sample set's entries first, so
// that every shape's quirks stay in): deterministic, like everything gensamples writes.
func applyCardinality(seed uint64) error {
	if *cardinality == "" {
		return nil
	}
	var nu, na, ni int
	if _, err := fmt.Sscanf(strings.ReplaceAll(*cardinality, " ", ""), "%d,%d,%d", &nu, &na, &ni); err != nil || nu < 1 || na < 1 || ni < 1 {
		return fmt.Errorf("-cardinality %q: want USERS,APPS,IPS, each at least 1", *cardinality)
	}
	r := rand.New(rand.NewPCG(seed, 0x6361726469))
	id := func() string {
		a, b := r.Uint64(), r.Uint64()
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
	}
	people = grow(people, nu, func(i int) person {
		return person{fmt.Sprintf("user%05d@contoso.com", i), fmt.Sprintf("User %05d", i), id()}
	})
	apps = grow(apps, na, func(i int) app { return app{fmt.Sprintf("Contoso App %03d", i), id()} })
	places = grow(places, ni, func(i int) place {
		p := places[i%len(places)] // a known city and country, another address
		p.ip = fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff)
		return p
	})
	return nil
}

// grow returns the first n of base, then made ones.
func grow[T any](base []T, n int, mk func(i int) T) []T {
	out := append([]T(nil), base[:min(n, len(base))]...)
	for i := len(out); i < n; i++ {
		out = append(out, mk(i))
	}
	return out
}
