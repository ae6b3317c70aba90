// Package bundle is the application inside a binary built by mbbuild: the
// precompiled main chunk, the modules it requires and the files embedded
// with --embed, packed into one archive that the binary embeds. Open turns
// that archive into an app.Program for the runtime; Builder writes it
// (mbbuild).
//
// The package reads and writes bundles only. It must not compile Lua source
// (mbbuild does that before) and must not touch the disk: a built binary
// finds everything it runs in the bundle.
//
// # Layout
//
// A bundle is a zip archive (archive/zip) with these entries:
//
//	bundle.json          manifest: format, application name, build time,
//	                     product version, main chunk and module table
//	main.mbc             the main chunk in compiler/bytecode format
//	modules/NAME.mbc     one entry per module, NAME as given to require
//	files/PATH           the embedded files; PATH is the file's path relative
//	                     to the application directory (the directory of the
//	                     main script), with "/" separators, e.g.
//	                     files/static/style.css for static/style.css
//
// Program.Files serves the files/ tree, so an application reads the file it
// knew as "static/style.css" under that same relative path.
package bundle

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/moonbridge-go/moonbridge/compiler/bytecode"
	"github.com/moonbridge-go/moonbridge/runtime/app"
	lua "github.com/yuin/gopher-lua"
)

// FormatVersion is the version of the bundle layout (the bytecode inside
// has its own version).
const FormatVersion = 1

const (
	manifestName = "bundle.json"
	mainName     = "main.mbc"
	modulesDir   = "modules/"
	filesDir     = "files"
)

// Manifest describes a bundle; it is stored as bundle.json.
type Manifest struct {
	Format         int                     `json:"format"`
	Name           string                  `json:"name"`            // application name, e.g. "app.lua"
	Built          time.Time               `json:"built"`           // when mbbuild wrote the bundle
	ProductVersion string                  `json:"product_version"` // app.ProductVersion of mbbuild
	MainOrigin     string                  `json:"main_origin"`     // source file of the main chunk
	Modules        map[string]ModuleOrigin `json:"modules"`
	Files          int                     `json:"files"` // number of embedded files
}

// ModuleOrigin says where a bundled module came from.
type ModuleOrigin struct {
	Origin string `json:"origin"` // source path relative to the application directory or include directory
}

// Program is a bundled application; it implements app.Program.
type Program struct {
	manifest Manifest
	zip      *zip.Reader
	files    fs.FS // nil when nothing was embedded

	// Decoded chunks by entry: goroutine workers share one process and
	// the prototypes are read-only once built.
	mu      sync.Mutex
	decoded map[string]*lua.FunctionProto
}

var _ app.Program = (*Program)(nil)

// Open reads a bundle. Every defect (not a bundle, unknown format, missing
// entries) is an error that says what is wrong.
func Open(data []byte) (*Program, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("open application bundle: %w", err)
	}
	raw, err := readEntry(zr, manifestName)
	if err != nil {
		return nil, fmt.Errorf("open application bundle: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("open application bundle: %s: %w", manifestName, err)
	}
	if m.Format != FormatVersion {
		return nil, fmt.Errorf("open application bundle: format %d, this runtime reads format %d; rebuild the application with a matching mbbuild", m.Format, FormatVersion)
	}
	if m.Name == "" {
		return nil, fmt.Errorf("open application bundle: %s names no application", manifestName)
	}
	p := &Program{manifest: m, zip: zr}
	if _, err := zr.Open(mainName); err != nil {
		return nil, fmt.Errorf("open application bundle: no main chunk: %w", err)
	}
	for name := range m.Modules {
		if _, err := zr.Open(moduleEntry(name)); err != nil {
			return nil, fmt.Errorf("open application bundle: module %q listed but missing: %w", name, err)
		}
	}
	if m.Files > 0 {
		sub, err := fs.Sub(zr, filesDir)
		if err != nil {
			return nil, fmt.Errorf("open application bundle: %w", err)
		}
		p.files = sub
	}
	return p, nil
}

func moduleEntry(name string) string { return modulesDir + name + ".mbc" }

func readEntry(zr *zip.Reader, name string) ([]byte, error) {
	f, err := zr.Open(name)
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", name, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("entry %s: %w", name, err)
	}
	return data, nil
}

// Manifest returns the bundle's manifest.
func (p *Program) Manifest() Manifest { return p.manifest }

// Name implements app.Program.
func (p *Program) Name() string { return p.manifest.Name }

// Version is the text a built binary prints for --version.
func (p *Program) Version() string {
	return fmt.Sprintf("%s (built %s with moonbridge %s)", p.manifest.Name,
		p.manifest.Built.UTC().Format(time.RFC3339), p.manifest.ProductVersion)
}

// Main implements app.Program.
func (p *Program) Main() (*lua.FunctionProto, error) {
	return p.load(mainName, p.manifest.MainOrigin)
}

// Module implements app.Program. packagePath is ignored: a built binary
// only has the modules mbbuild bundled.
func (p *Program) Module(name, packagePath string) (*lua.FunctionProto, string, error) {
	m, ok := p.manifest.Modules[name]
	if !ok {
		return nil, "", &app.ModuleNotFoundError{Name: name, Tried: "no module '" + name + "' in the application bundle of " +
			p.manifest.Name + " (bundled: " + strings.Join(p.Modules(), ", ") + "; add it at build time with mbbuild -m " + name + ")"}
	}
	proto, err := p.load(moduleEntry(name), m.Origin)
	if err != nil {
		return nil, m.Origin, err
	}
	return proto, m.Origin, nil
}

// Modules lists the bundled module names, sorted.
func (p *Program) Modules() []string {
	names := make([]string, 0, len(p.manifest.Modules))
	for name := range p.manifest.Modules {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Files implements app.Program: the files embedded with --embed under their
// paths relative to the application directory, or nil when there are none.
func (p *Program) Files() fs.FS { return p.files }

func (p *Program) load(entry, origin string) (*lua.FunctionProto, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if proto, ok := p.decoded[entry]; ok {
		return proto, nil
	}
	data, err := readEntry(p.zip, entry)
	if err != nil {
		return nil, fmt.Errorf("application bundle: %w", err)
	}
	proto, err := bytecode.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("application bundle: %s (from %s): %w", entry, origin, err)
	}
	if p.decoded == nil {
		p.decoded = map[string]*lua.FunctionProto{}
	}
	p.decoded[entry] = proto
	return proto, nil
}

// Builder writes a bundle. Call SetMain once, AddModule and AddFile as
// needed, then Close.
type Builder struct {
	zw       *zip.Writer
	manifest Manifest
	hasMain  bool
	files    map[string]bool
	err      error
}

// NewBuilder starts a bundle for the application name (e.g. "app.lua")
// built at built by the given product version.
func NewBuilder(w io.Writer, name string, built time.Time, productVersion string) *Builder {
	return &Builder{
		zw: zip.NewWriter(w),
		manifest: Manifest{Format: FormatVersion, Name: name, Built: built.UTC().Truncate(time.Second),
			ProductVersion: productVersion, Modules: map[string]ModuleOrigin{}},
		files: map[string]bool{},
	}
}

func (b *Builder) write(name string, data []byte) error {
	if b.err != nil {
		return b.err
	}
	w, err := b.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: b.manifest.Built})
	if err == nil {
		_, err = w.Write(data)
	}
	if err != nil {
		b.err = fmt.Errorf("write bundle entry %s: %w", name, err)
	}
	return b.err
}

// SetMain stores the main chunk; origin is its source file.
func (b *Builder) SetMain(proto *lua.FunctionProto, origin string) error {
	if b.hasMain {
		return errors.New("bundle: main chunk set twice")
	}
	data, err := bytecode.Encode(proto)
	if err != nil {
		return fmt.Errorf("bundle main chunk %s: %w", origin, err)
	}
	b.hasMain = true
	b.manifest.MainOrigin = origin
	return b.write(mainName, data)
}

// AddModule stores the chunk that require(name) returns.
func (b *Builder) AddModule(name, origin string, proto *lua.FunctionProto) error {
	if name == "" || strings.ContainsAny(name, "/\\") || strings.Contains(name, "..") || !fs.ValidPath(moduleEntry(name)) {
		return fmt.Errorf("bundle: invalid module name %q", name)
	}
	if _, dup := b.manifest.Modules[name]; dup {
		return fmt.Errorf("bundle: module %q added twice", name)
	}
	data, err := bytecode.Encode(proto)
	if err != nil {
		return fmt.Errorf("bundle module %s (%s): %w", name, origin, err)
	}
	b.manifest.Modules[name] = ModuleOrigin{Origin: origin}
	return b.write(moduleEntry(name), data)
}

// AddFile stores an embedded file under rel, its slash-separated path
// relative to the application directory.
func (b *Builder) AddFile(rel string, data []byte) error {
	if !fs.ValidPath(rel) || rel == "." {
		return fmt.Errorf("bundle: invalid file path %q (want a relative path without . or .. elements)", rel)
	}
	if b.files[rel] {
		return fmt.Errorf("bundle: file %s embedded twice", rel)
	}
	b.files[rel] = true
	b.manifest.Files++
	return b.write(path.Join(filesDir, rel), data)
}

// Close writes the manifest and finishes the archive.
func (b *Builder) Close() error {
	if b.err != nil {
		return b.err
	}
	if !b.hasMain {
		return errors.New("bundle: no main chunk")
	}
	m, err := json.MarshalIndent(b.manifest, "", "  ")
	if err != nil {
		return fmt.Errorf("bundle manifest: %w", err)
	}
	if err := b.write(manifestName, m); err != nil {
		return err
	}
	if err := b.zw.Close(); err != nil {
		return fmt.Errorf("finish bundle: %w", err)
	}
	return nil
}
