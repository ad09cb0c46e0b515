package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"mime/multipart"
	"os"
	"testing"

	"github.com/aegis-sec/aegis/internal/evidence"
	"github.com/stretchr/testify/require"
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
			left, _ := os.ReadDir(dir)
			require.Empty(t, left, "error %v left %d spool files", err, len(left))
			return
		}
		data, rerr := os.ReadFile(in.Path)
		require.NoError(t, rerr, "read the generated input")
		sum := sha256.Sum256(data)
		require.Equal(t, in.Size, int64(len(data)), "incoming %+v for %d bytes", in, len(data))
		require.NotEqual(t, int64(0), in.Size, "incoming %+v for %d bytes", in, len(data))
		require.LessOrEqual(t, in.Size, int64(64), "incoming %+v for %d bytes", in, len(data))
		require.Equal(t, in.SHA256, hex.EncodeToString(sum[:]), "incoming %+v for %d bytes", in, len(data))
		require.NotEmpty(t, in.Filename, "incoming %+v for %d bytes", in, len(data))
		require.False(t, bytes.ContainsAny([]byte(in.Filename), "/\\"), "incoming %+v for %d bytes", in, len(data))
		require.NotEmpty(t, in.Mime, "incoming %+v for %d bytes", in, len(data))
		in.Close()
		left, _ := os.ReadDir(dir)
		require.Empty(t, left, "Close left the spool file")
	})
}
