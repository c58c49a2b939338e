// Package docs holds no code: the folder keeps the design documents that the code's
// comments point at (DESIGN.md, TAXONOMY.md), and its tests keep the repository's
// documents honest: the copies equal to the team's working copies, every document that a
// comment, a rule file or the README names present, the LICENSE the README names, the
// container image that the README's Kubernetes examples run the one the Dockerfile
// builds, and a PowerShell twin beside each of the README's shell examples.
package docs
