// Package snapshot stores what `clusteratlas serve` would otherwise compute
// at every start from the GeoJSON — decoded features, per-feature areas,
// containment grids and the simplified zoom levels — in one compact binary
// file (data/atlas.snap), written by `clusteratlas build` beside the
// GeoJSON and loaded in a fraction of the time.
//
// # Format (version 2)
//
// All fixed-width integers are little-endian.
//
//	header:  magic "CATLSNAP" (8 bytes) · format version uint32
//	section: name length uint8 · name (ASCII) ·
//	         stored length uint32 · raw length uint32 ·
//	         CRC-32C (Castagnoli) of the stored bytes uint32 ·
//	         stored bytes: one zstd frame that decompresses to raw length bytes
//
// Sections follow the header back to back until the end of the file, in
// this order: "meta", then "features/NAME" and "index/NAME" for each
// collection (names sorted), then "compare", then "levels". Inside a section, counts and
// lengths are unsigned varints (encoding/binary), strings are a length and
// bytes, float64 are 8 bytes of IEEE bits.
//
//	meta:       dataset version · manifest (JSON) · file count ·
//	            (file name · SHA-256 hex of its bytes)… · collection count · names…
//	features/N: feature count · (id · properties (JSON) · geometry)…
//	index/N:    area count · areas (float64, km²)… · grid flag (byte) ·
//	            [minX · minY · nx · ny · offsets (count, then deltas) ·
//	             items (count, then per item 2i for a feature i containing
//	             the whole cell, 2i+1 for one whose boundary touches it)]
//	compare:    JSON {"content_hash": {collection: hash}, "table": data.CompareTable or null}
//	levels:     layer count · layer names… · level count ·
//	            (zoom · tolerance float64 · full (byte) ·
//	             [per layer, per feature of that collection: geometry])…
//
// A geometry is a tag byte — 0 nil, 1 Point, 2 LineString, 3 Polygon,
// 4 MultiPolygon, 5 MultiLineString; +0x80 when its coordinates are raw
// float64 — then its nesting as counts and its coordinates. Coordinates are
// on the dataset's 1e-5° grid and stored as signed varints of the
// difference from the previous point (in units of 1e-5°, from (0, 0) at the
// start of each geometry); x/1e5 is the float64 that the GeoJSON's
// 5-decimal text decodes to, so a snapshot-loaded feature is bit-identical
// to the GeoJSON-loaded one. A geometry with any coordinate off the grid is
// stored raw.
//
// The file is a pure function of the dataset: no timestamps, maps written
// in sorted order, zstd at a fixed level with one encoder thread.
package snapshot

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"

	"github.com/klauspost/compress/zstd"
)

// Magic opens every snapshot file.
const Magic = "CATLSNAP"

// Version is the format version written; Decode accepts only this one.
const Version = 2 // 2: one list per grid cell, the boundary flag in each item

// FileName is the snapshot's name inside a dataset directory.
const FileName = "atlas.snap"

// maxSectionBytes bounds a section's declared size, so a damaged header
// cannot make the decoder allocate without limit.
const maxSectionBytes = 256 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNotSnapshot is returned for input that does not start with Magic.
var ErrNotSnapshot = errors.New("snapshot: not a snapshot file (bad magic)")

type section struct {
	name string
	raw  []byte
}

// encoder compresses every section: a fixed level and one thread, so the
// output depends on the input alone. EncodeAll is safe for concurrent use.
var encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBetterCompression), zstd.WithEncoderConcurrency(1))

func writeFile(sections []section) ([]byte, error) {
	enc := encoder
	out := append([]byte(Magic), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(out[len(Magic):], Version)
	for _, s := range sections {
		if len(s.name) > 255 || len(s.raw) > maxSectionBytes {
			return nil, fmt.Errorf("snapshot: section %q too large", s.name)
		}
		stored := enc.EncodeAll(s.raw, nil)
		out = append(out, byte(len(s.name)))
		out = append(out, s.name...)
		out = binary.LittleEndian.AppendUint32(out, uint32(len(stored)))
		out = binary.LittleEndian.AppendUint32(out, uint32(len(s.raw)))
		out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(stored, castagnoli))
		out = append(out, stored...)
	}
	return out, nil
}

// storedSection is a section as framed in the file, not yet decompressed.
type storedSection struct {
	name   string
	rawLen int
	stored []byte
}

// splitFile checks the header and frames, and each section's checksum.
func splitFile(b []byte) ([]storedSection, error) {
	if len(b) < len(Magic) || string(b[:len(Magic)]) != Magic {
		return nil, ErrNotSnapshot
	}
	b = b[len(Magic):]
	if len(b) < 4 {
		return nil, fmt.Errorf("snapshot: truncated header")
	}
	if v := binary.LittleEndian.Uint32(b); v != Version {
		return nil, fmt.Errorf("snapshot: format version %d, this program reads version %d (rebuild it with `clusteratlas build`)", v, Version)
	}
	b = b[4:]
	var out []storedSection
	for len(b) > 0 {
		n := int(b[0])
		if len(b) < 1+n+12 {
			return nil, fmt.Errorf("snapshot: section %d: truncated header", len(out)+1)
		}
		name := string(b[1 : 1+n])
		b = b[1+n:]
		storedLen := int(binary.LittleEndian.Uint32(b))
		rawLen := int(binary.LittleEndian.Uint32(b[4:]))
		sum := binary.LittleEndian.Uint32(b[8:])
		b = b[12:]
		if rawLen > maxSectionBytes {
			return nil, fmt.Errorf("snapshot: section %q: declared size %d too large", name, rawLen)
		}
		if storedLen > len(b) {
			return nil, fmt.Errorf("snapshot: section %q: truncated (%d of %d bytes)", name, len(b), storedLen)
		}
		stored := b[:storedLen]
		b = b[storedLen:]
		if crc32.Checksum(stored, castagnoli) != sum {
			return nil, fmt.Errorf("snapshot: section %q: checksum mismatch (corrupt file)", name)
		}
		out = append(out, storedSection{name: name, rawLen: rawLen, stored: stored})
	}
	return out, nil
}

// decompress inflates one section, checking its declared size.
func (s storedSection) decompress(dec *zstd.Decoder) ([]byte, error) {
	raw, err := dec.DecodeAll(s.stored, make([]byte, 0, s.rawLen))
	if err != nil {
		return nil, fmt.Errorf("snapshot: section %q: %w", s.name, err)
	}
	if len(raw) != s.rawLen {
		return nil, fmt.Errorf("snapshot: section %q: %d bytes, header says %d", s.name, len(raw), s.rawLen)
	}
	return raw, nil
}
