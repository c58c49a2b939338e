package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// writeFiles writes n files of o.records records each into dir, as a diagnostic setting
// archives sign-in logs to a storage account: one file an hour, hour after hour from the
// samples' day, at dir/y=YYYY/m=MM/d=DD/h=HH/m=00/PT1H.json (.csv or .parquet for those
// shapes), each file's records within its hour (when they fit in one batch). One
// generator writes them all, so that -distinct values are distinct across files too; only
// the first file covers every family.
func writeFiles(o output, dir string, n int) error {
	sh, g, err := o.start()
	if err != nil {
		return err
	}
	ext := ".json"
	switch {
	case strings.HasPrefix(o.shape, "parquet"):
		ext = ".parquet"
	case strings.HasPrefix(o.shape, "csv"):
		ext = ".csv"
	}
	g.span = time.Hour
	bw := bufio.NewWriterSize(nil, 64<<10)
	for i := range n {
		hour := day.Add(time.Duration(i) * time.Hour)
		g.start = hour
		path := filepath.Join(dir, filepath.FromSlash(hour.Format("y=2006/m=01/d=02/h=15/m=00")), "PT1H"+ext)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		f, err := os.Create(path)
		if err != nil {
			return err
		}
		bw.Reset(f)
		err = o.stream(bw, sh, g, i == 0)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}
