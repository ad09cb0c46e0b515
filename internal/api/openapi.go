package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strings"

	"github.com/pocketbase/pocketbase"
	"github.com/pocketbase/pocketbase/core"
)

// OpenAPIVersion is the specification version openapi.json follows.
const OpenAPIVersion = "3.1.0"

var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)(\.\.\.)?\}`)

// BuildOpenAPI describes the documented /api/aegis routes and the record
// shape of every Aegis collection, read from the live schema so that later
// migrations show up without touching this code.
func BuildOpenAPI(app core.App, ops []Op) (map[string]any, error) {
	schemas, err := recordSchemas(app)
	if err != nil {
		return nil, err
	}
	schemas["Error"] = map[string]any{
		"type":     "object",
		"required": []string{"status", "message", "data"},
		"properties": map[string]any{
			"status":  map[string]any{"type": "integer"},
			"message": map[string]any{"type": "string"},
			"data": map[string]any{"type": "object", "description": "Field errors: {field: {code, message}}",
				"additionalProperties": true},
		},
	}

	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	paths := map[string]any{}
	tags := map[string]bool{}
	for _, op := range ops {
		p := pathParam.ReplaceAllString(op.Path, "{$1}")
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		for _, t := range op.Tags {
			tags[t] = true
		}
		item[strings.ToLower(op.Method)] = operation(op)
	}
	tagList := make([]map[string]any, 0, len(tags))
	for t := range tags {
		tagList = append(tagList, map[string]any{"name": t})
	}
	sort.Slice(tagList, func(i, j int) bool { return tagList[i]["name"].(string) < tagList[j]["name"].(string) })

	return map[string]any{
		"openapi": OpenAPIVersion,
		"info": map[string]any{
			"title":   "Aegis API",
			"version": pocketbase.Version,
			"description": "Aegis custom routes under /api/aegis. Collections are served by PocketBase's " +
				"record API at /api/collections/{collection}/records, with the record shapes below; " +
				"API rules enforce the roles. Errors are JSON {status, message, data}.",
		},
		"servers": []map[string]any{{"url": "/"}},
		"tags":    tagList,
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"token": map[string]any{"type": "apiKey", "in": "header", "name": "Authorization",
					"description": "An auth token from /api/collections/users/auth-with-password (a 'Bearer ' prefix is optional)."},
			},
		},
	}, nil
}

func operation(op Op) map[string]any {
	o := map[string]any{
		"summary":      op.Summary,
		"operationId":  operationId(op),
		"x-aegis-auth": op.Auth,
	}
	if op.Description != "" {
		o["description"] = op.Description
	}
	if len(op.Tags) > 0 {
		o["tags"] = op.Tags
	}
	if op.Auth != "" && op.Auth != "public" {
		o["security"] = []map[string]any{{"token": []string{}}}
	}
	var params []map[string]any
	for _, m := range pathParam.FindAllStringSubmatch(op.Path, -1) {
		params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
			"schema": map[string]any{"type": "string"}})
	}
	for _, q := range op.Query {
		params = append(params, map[string]any{"name": q.Name, "in": "query", "required": q.Required,
			"description": q.Description, "schema": map[string]any{"type": "string"}})
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	if op.Multipart {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"multipart/form-data": map[string]any{"schema": map[string]any{"type": "object",
				"properties": map[string]any{"file": map[string]any{"type": "string", "format": "binary"}}}},
		}}
	} else if op.Request != nil {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			"application/json": map[string]any{"schema": inferSchema(op.Request), "example": op.Request},
		}}
	}
	ok := map[string]any{"description": "Success"}
	produces := op.Produces
	if produces == "" {
		produces = "application/json"
	}
	if op.Response != nil {
		media := map[string]any{"example": op.Response}
		if produces == "application/json" {
			media["schema"] = inferSchema(op.Response)
		} else {
			media["schema"] = map[string]any{"type": "string"}
		}
		ok["content"] = map[string]any{produces: media}
	} else if produces != "application/json" {
		ok["content"] = map[string]any{produces: map[string]any{"schema": map[string]any{"type": "string"}}}
	}
	errRef := map[string]any{"description": "Error", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	code := "200"
	if op.Method == http.MethodPost && op.Response == nil && produces == "application/json" {
		code = "204"
		ok = map[string]any{"description": "Done"}
	}
	o["responses"] = map[string]any{code: ok, "4XX": errRef}
	return o
}

func operationId(op Op) string {
	p := pathParam.ReplaceAllString(strings.TrimPrefix(op.Path, Prefix), "by_$1")
	p = strings.NewReplacer("/", "_", "-", "_", ".", "_").Replace(strings.Trim(p, "/"))
	return strings.ToLower(op.Method) + "_" + p
}

// inferSchema derives a JSON schema from an example value.
func inferSchema(example any) map[string]any {
	raw, err := json.Marshal(example)
	if err != nil {
		return map[string]any{}
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return map[string]any{}
	}
	return schemaOf(v)
}

func schemaOf(v any) map[string]any {
	switch x := v.(type) {
	case map[string]any:
		props := map[string]any{}
		for k, val := range x {
			props[k] = schemaOf(val)
		}
		return map[string]any{"type": "object", "properties": props}
	case []any:
		if len(x) == 0 {
			return map[string]any{"type": "array"}
		}
		return map[string]any{"type": "array", "items": schemaOf(x[0])}
	case string:
		return map[string]any{"type": "string"}
	case float64:
		if x == float64(int64(x)) {
			return map[string]any{"type": "integer"}
		}
		return map[string]any{"type": "number"}
	case bool:
		return map[string]any{"type": "boolean"}
	default:
		return map[string]any{}
	}
}

// recordSchemas maps every non-system collection to the JSON schema of its
// records as the API returns them (hidden fields and secrets left out).
func recordSchemas(app core.App) (map[string]any, error) {
	cols, err := app.FindAllCollections()
	if err != nil {
		return nil, fmt.Errorf("openapi: list collections: %w", err)
	}
	out := map[string]any{}
	for _, c := range cols {
		if c.System {
			continue
		}
		props := map[string]any{
			"collectionId":   map[string]any{"type": "string"},
			"collectionName": map[string]any{"type": "string", "const": c.Name},
		}
		var required []string
		for _, f := range c.Fields {
			if f.GetHidden() || f.Type() == core.FieldTypePassword {
				continue
			}
			props[f.GetName()] = fieldSchema(f)
			if r, ok := f.(interface{ GetRequired() bool }); ok && r.GetRequired() {
				required = append(required, f.GetName())
			}
		}
		s := map[string]any{"type": "object", "title": c.Name, "properties": props}
		if len(required) > 0 {
			sort.Strings(required)
			s["required"] = required
		}
		out[schemaName(c.Name)] = s
	}
	return out, nil
}

// schemaName turns a collection name into a component name (test_outcomes → TestOutcomesRecord).
func schemaName(collection string) string {
	var b strings.Builder
	for _, part := range strings.Split(collection, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String() + "Record"
}

func fieldSchema(f core.Field) map[string]any {
	many := func(item map[string]any, multiple bool) map[string]any {
		if multiple {
			return map[string]any{"type": "array", "items": item}
		}
		return item
	}
	switch ff := f.(type) {
	case *core.TextField:
		return map[string]any{"type": "string"}
	case *core.EditorField:
		return map[string]any{"type": "string", "contentMediaType": "text/html"}
	case *core.EmailField:
		return map[string]any{"type": "string", "format": "email"}
	case *core.URLField:
		return map[string]any{"type": "string", "format": "uri"}
	case *core.NumberField:
		if ff.OnlyInt {
			return map[string]any{"type": "integer"}
		}
		return map[string]any{"type": "number"}
	case *core.BoolField:
		return map[string]any{"type": "boolean"}
	case *core.DateField, *core.AutodateField:
		return map[string]any{"type": "string", "description": "UTC date-time 'YYYY-MM-DD HH:MM:SS.sssZ', or empty"}
	case *core.SelectField:
		values := append([]string{}, ff.Values...)
		item := map[string]any{"type": "string", "enum": values}
		if !ff.IsMultiple() {
			item["enum"] = append(values, "")
		}
		return many(item, ff.IsMultiple())
	case *core.RelationField:
		return many(map[string]any{"type": "string", "description": "record id"}, ff.IsMultiple())
	case *core.FileField:
		return many(map[string]any{"type": "string", "description": "stored file name"}, ff.IsMultiple())
	case *core.JSONField:
		return map[string]any{"description": "any JSON value"}
	case *core.GeoPointField:
		return map[string]any{"type": "object", "properties": map[string]any{
			"lon": map[string]any{"type": "number"}, "lat": map[string]any{"type": "number"}}}
	default:
		return map[string]any{}
	}
}
