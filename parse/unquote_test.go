package parse

import (
	"encoding/json"
	"testing"
)

// FuzzUnquote: unquote decodes a JSON string exactly as encoding/json does.
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{`"{\"errorCode\":70000}"`, `"a\u00e9\ud83d\ude00b"`, `"\ud800x"`, `"\ud800\u0041"`, "\"\xff\xfe\"", `"\/\b\f\n\r\t\\"`, `"\uDBFF\uDFFF"`, `"\ud800\ud800\udc00"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, str []byte) {
		if len(str) < 2 || str[0] != '"' {
			return
		}
		w := walker{b: str}
		if _, err := w.str(); err != nil || w.i != len(str) {
			return // not one valid JSON string
		}
		var want string
		if err := json.Unmarshal(str, &want); err != nil {
			t.Fatalf("valid string %q refused by encoding/json: %v", str, err)
		}
		if got := string(unquote(nil, str[1:len(str)-1])); got != want {
			t.Fatalf("unquote(%q) = %q, encoding/json %q", str, got, want)
		}
	})
}
