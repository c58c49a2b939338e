package docs

import (
	"strings"
	"testing"
)

// shellExample tells a README code block that runs grantsweep from a Unix shell: a
// script, or a command line (not the synopsis of Usage, not the transcript of Example).
func shellExample(block string) bool {
	if strings.HasPrefix(block, "#!/bin/sh") {
		return true
	}
	if strings.Contains(block, "[flags]") {
		return false
	}
	for _, prefix := range []string{"grantsweep ", "go run ./cmd/grantsweep", "go build ", "CGO_ENABLED=", "docker run", "docker build"} {
		if strings.HasPrefix(block, prefix) {
			return true
		}
	}
	return false
}

// TestPowerShellTwins fails when a README example that runs grantsweep from a Unix shell
// has no PowerShell twin: one of the next two code blocks, introduced by a paragraph that
// names PowerShell.
func TestPowerShellTwins(t *testing.T) {
	blocks, intros := codeBlocks(readRepo(t, "README.md"))
	examples := 0
	for i, block := range blocks {
		if !shellExample(block) || strings.Contains(intros[i], "PowerShell") {
			continue
		}
		examples++
		twin := false
		for j := i + 1; j < len(blocks) && j <= i+2; j++ {
			twin = twin || strings.Contains(intros[j], "PowerShell")
		}
		if !twin {
			first, _, _ := strings.Cut(block, "\n")
			t.Errorf("README example %q has no PowerShell twin after it", first)
		}
	}
	if examples < 7 {
		t.Errorf("found %d shell examples in the README; the check has lost them", examples)
	}
}

// codeBlocks returns a Markdown file's indented code blocks, unindented, and for each the
// paragraph just before it.
func codeBlocks(md string) (blocks, intros []string) {
	var para, cur []string
	ended := false // a blank line ended the paragraph
	flush := func() {
		if len(cur) > 0 {
			blocks = append(blocks, strings.TrimRight(strings.Join(cur, "\n"), "\n")+"\n")
			intros = append(intros, strings.Join(para, " "))
			para = nil
		}
		cur = nil
	}
	for line := range strings.Lines(md) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case strings.HasPrefix(line, "    "):
			cur = append(cur, line[4:])
		case line == "" && cur != nil:
			cur = append(cur, "")
		case line == "":
			ended = true
		default:
			flush()
			if ended {
				para, ended = nil, false
			}
			para = append(para, line)
		}
	}
	flush()
	return blocks, intros
}
