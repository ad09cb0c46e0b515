package testutil

import (
	"bytes"
	"mime/multipart"
	"testing"
)

// File is one file part of a multipart request.
type File struct {
	Field, Name string
	Content     []byte
}

// EncodeMultipart builds a multipart/form-data body with fields and files and
// returns it with its Content-Type.
func EncodeMultipart(t testing.TB, fields map[string]string, files ...File) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		part, err := w.CreateFormFile(f.Field, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := part.Write(f.Content); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), w.FormDataContentType()
}

// DoMultipart sends method url as multipart/form-data with fields and files.
func DoMultipart(t testing.TB, method, url, token string, fields map[string]string, files ...File) Response {
	t.Helper()
	body, ctype := EncodeMultipart(t, fields, files...)
	return DoWith(t, method, url, token, map[string]string{"Content-Type": ctype}, body)
}
