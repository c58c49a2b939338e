module github.com/grantsweep/grantsweep

go 1.26.8

require (
	github.com/goccy/go-json v0.12.0
	github.com/goccy/go-yaml v1.19.2
	github.com/klauspost/compress v1.20.4
	golang.org/x/text v0.14.0
)
