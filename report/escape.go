package report

import "unicode/utf8"

// Escape returns s with every character that could act on a terminal, or make a reader
// see text in another order than it is stored, written as a visible escape: C0 controls
// (tab, CR and LF as \t, \r, \n; the rest as \x1b), DEL, C1 controls (\u009b), the
// bidirectional controls U+061C, U+200E, U+200F, U+202A-U+202E and U+2066-U+2069
// (\u202e), and bytes that are not UTF-8 (\xff). Everything else stays as it is,
// backslashes included, so escaping twice changes nothing; s itself is returned when
// nothing needs escaping. File names, user agents and UPNs are attacker-controlled: every
// report a person reads (the table, Markdown, HTML) and every message on stderr shows them
// through Escape.
func Escape(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	b := make([]byte, 0, len(s)+16)
	return string(appendEscaped(append(b, s[:i]...), s[i:]))
}

// firstUnsafe returns the index of the first byte of s that Escape rewrites, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unsafeRune(r, n) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports whether Escape rewrites the rune r, n bytes long.
func unsafeRune(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1: // not UTF-8
		return true
	case r < 0x20, r >= 0x7f && r < 0xa0:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

func appendEscaped(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if !unsafeRune(r, n) {
			b = append(b, s[i:i+n]...)
			i += n
			continue
		}
		switch {
		case r == '\t':
			b = append(b, `\t`...)
		case r == '\n':
			b = append(b, `\n`...)
		case r == '\r':
			b = append(b, `\r`...)
		case n == 1: // ASCII control, DEL, or a byte that is not UTF-8
			b = append(b, '\\', 'x', hex[s[i]>>4], hex[s[i]&0xf])
		default:
			b = append(b, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf]) // every such rune is below U+10000
		}
		i += n
	}
	return b
}
