package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"os"
	"testing"

	"github.com/aegis-sec/aegis/internal/evidence"
)

// FuzzReceive feeds arbitrary multipart bodies to the streaming parser: it
// must never panic, a success must describe the spooled bytes exactly, and
// no spool file may survive an error or Close.
func FuzzReceive(f *testing.F) {
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\nx\r\n--B--\r\n"))
	f.Add([]byte("--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"..\\\\..\\\\evil\"\r\n\r\n" + string(bytes.Repeat([]byte("A"), 100)) + "\r\n--B--\r\n"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, body []byte) {
		dir := t.TempDir()
		in, err := evidence.Receive(multipart.NewReader(bytes.NewReader(body), "B"), dir, 64)
		if err != nil {
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("error %v left %d spool files", err, len(left))
			}
			return
		}
		data, rerr := os.ReadFile(in.Path)
		if rerr != nil {
			t.Fatal(rerr)
		}
		sum := sha256.Sum256(data)
		if int64(len(data)) != in.Size || in.Size == 0 || in.Size > 64 || hex.EncodeToString(sum[:]) != in.SHA256 ||
			in.Filename == "" || bytes.ContainsAny([]byte(in.Filename), "/\\") || in.Mime == "" {
			t.Fatalf("incoming %+v for %d bytes", in, len(data))
		}
		in.Close()
		if left, _ := os.ReadDir(dir); len(left) != 0 {
			t.Fatal("Close left the spool file")
		}
	})
}
