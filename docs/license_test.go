package docs

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// apache2 is the SHA-256 of the Apache License 2.0 as the Apache Software Foundation
// publishes it (LICENSE-2.0.txt, 202 lines, appendix included): the standard text, word
// for word, is what license scanners and packagers recognise.
const apache2 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"

// TestLicense fails when the LICENSE file is missing, is not the standard Apache-2.0 text,
// or the README does not say so.
func TestLicense(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "Apache License\n                           Version 2.0, January 2004") {
		t.Errorf("LICENSE is not the Apache License, Version 2.0")
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != apache2 {
		t.Errorf("LICENSE differs from the standard Apache-2.0 text (SHA-256 %x, want %s): restore it word for word", sum, apache2)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## License\n")
	if !ok || !strings.Contains(section, "Apache-2.0") || !strings.Contains(section, "(LICENSE)") {
		t.Errorf("README has no License section naming Apache-2.0 and linking LICENSE")
	}
}
