// Command blobload uploads a folder into a container of a storage account (the
// emulator, for bench/storage.sh), each file as the blob named by its path below the
// folder, several at once. The account is AZURE_STORAGE_CONNECTION_STRING's.
//
//	blobload [-workers N] CONTAINER DIR
package main

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
)

func main() {
	workers := flag.Int("workers", 16, "upload `N` files at once")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: blobload [-workers N] CONTAINER DIR")
		os.Exit(2)
	}
	if err := upload(flag.Arg(0), flag.Arg(1), *workers); err != nil {
		fmt.Fprintln(os.Stderr, "blobload:", err)
		os.Exit(1)
	}
}

func upload(container, dir string, workers int) error {
	ctx := context.Background()
	client, err := azblob.NewClientFromConnectionString(os.Getenv("AZURE_STORAGE_CONNECTION_STRING"), nil)
	if err != nil {
		return err
	}
	if _, err := client.CreateContainer(ctx, container, nil); err != nil && !bloberror.HasCode(err, bloberror.ContainerAlreadyExists) {
		return err
	}
	paths := make(chan string)
	var wg sync.WaitGroup
	var n atomic.Int64
	var first atomic.Value
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				if err := put(ctx, client, container, dir, p); err != nil {
					first.CompareAndSwap(nil, err)
				}
				n.Add(1)
			}
		}()
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			paths <- p
		}
		return err
	})
	close(paths)
	wg.Wait()
	if err != nil {
		return err
	}
	if e, ok := first.Load().(error); ok {
		return e
	}
	fmt.Fprintf(os.Stderr, "blobload: %d files into %s\n", n.Load(), container)
	return nil
}

func put(ctx context.Context, client *azblob.Client, container, dir, p string) error {
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = client.UploadFile(ctx, container, filepath.ToSlash(rel), f, &azblob.UploadFileOptions{BlockSize: 8 << 20, Concurrency: 4})
	return err
}
