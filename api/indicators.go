package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Indicators is a planner's table of numeric city indicators keyed by
// GB/T 2260 code (e.g. population, GDP), read from --indicators FILE.csv.
type Indicators struct {
	Columns []string
	// Values[code][i] is column i for that city; NaN marks an empty cell.
	Values map[string][]float64
	Hash   string // content hash, part of the cache version
	Source string // file name, for messages
}

// IndicatorError locates a malformed indicators file (1-based line/column;
// the column is the CSV field number).
type IndicatorError struct {
	Line, Column int
	Msg          string
}

func (e *IndicatorError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// maxIndicatorBytes bounds the file read at start-up (every city of China
// with dozens of columns is well under a megabyte).
const maxIndicatorBytes = 64 << 20

// LoadIndicators reads and parses an indicators CSV file.
func LoadIndicators(path string) (*Indicators, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ind, err := ParseIndicators(io.LimitReader(f, maxIndicatorBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	ind.Source = path
	return ind, nil
}

// ParseIndicators parses the CSV: a header "code,COLUMN,..." then one row
// per city, a 6-digit code and a number (or an empty cell) per column.
// A UTF-8 byte-order mark is allowed. Anything else is an *IndicatorError.
func ParseIndicators(r io.Reader) (*Indicators, error) {
	raw, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	if len(raw) > maxIndicatorBytes {
		return nil, &IndicatorError{Line: 1, Column: 1, Msg: fmt.Sprintf("file is larger than %d bytes", maxIndicatorBytes)}
	}
	sum := sha256.Sum256(raw)
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(raw) {
		return nil, &IndicatorError{Line: 1, Column: 1, Msg: "file is not valid UTF-8"}
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord = 0 // every row as long as the header
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, &IndicatorError{Line: 1, Column: 1, Msg: "file is empty; expected a header code,COLUMN,..."}
		}
		return nil, csvError(err)
	}
	if len(header) < 2 {
		return nil, &IndicatorError{Line: 1, Column: 1, Msg: "header needs code and at least one indicator column"}
	}
	if !strings.EqualFold(strings.TrimSpace(header[0]), "code") {
		return nil, &IndicatorError{Line: 1, Column: 1, Msg: fmt.Sprintf("first header field must be \"code\", got %q", clip(header[0]))}
	}
	ind := &Indicators{Values: map[string][]float64{}, Hash: hex.EncodeToString(sum[:])[:12]}
	seen := map[string]int{}
	for i, h := range header[1:] {
		name := strings.TrimSpace(h)
		switch {
		case name == "":
			return nil, &IndicatorError{Line: 1, Column: i + 2, Msg: "column name is empty"}
		case strings.EqualFold(name, "code"):
			return nil, &IndicatorError{Line: 1, Column: i + 2, Msg: "column \"code\" appears twice"}
		case seen[name] > 0:
			return nil, &IndicatorError{Line: 1, Column: i + 2, Msg: fmt.Sprintf("column %q repeats column %d", name, seen[name])}
		}
		seen[name] = i + 2
		ind.Columns = append(ind.Columns, name)
	}
	rowLine := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, csvError(err)
		}
		line, _ := cr.FieldPos(0)
		code := strings.TrimSpace(rec[0])
		if !isGBCode(code) {
			return nil, &IndicatorError{Line: line, Column: 1, Msg: fmt.Sprintf("code must be a 6-digit GB/T 2260 code, got %q", clip(rec[0]))}
		}
		if prev, dup := rowLine[code]; dup {
			return nil, &IndicatorError{Line: line, Column: 1, Msg: fmt.Sprintf("code %s already given on line %d", code, prev)}
		}
		rowLine[code] = line
		vals := make([]float64, len(ind.Columns))
		for i, cell := range rec[1:] {
			cell = strings.TrimSpace(cell)
			if cell == "" {
				vals[i] = math.NaN()
				continue
			}
			v, err := strconv.ParseFloat(cell, 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				l, _ := cr.FieldPos(i + 1)
				return nil, &IndicatorError{Line: l, Column: i + 2, Msg: fmt.Sprintf("column %q must be a finite number or empty, got %q", ind.Columns[i], clip(cell))}
			}
			vals[i] = v
		}
		ind.Values[code] = vals
	}
	return ind, nil
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		col := pe.Column
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			// encoding/csv reports the rune column; the field number is what
			// a planner can find in a spreadsheet.
			return &IndicatorError{Line: pe.Line, Column: col, Msg: "wrong number of fields (every row needs as many as the header)"}
		}
		return &IndicatorError{Line: pe.Line, Column: col, Msg: pe.Err.Error()}
	}
	return err
}

func isGBCode(s string) bool {
	if len(s) != 6 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// IndicatorSum aggregates one column over a cluster's members. Only whole
// members are summed; partial members (only some counties in the cluster)
// are listed, never counted in full.
type IndicatorSum struct {
	SumWholeMembers     float64  `json:"sum_whole_members"`
	WholeMembersCounted int      `json:"whole_members_counted"`
	WholeMembersMissing []string `json:"whole_members_missing"`
	PartialMembers      []string `json:"partial_members"`
}
