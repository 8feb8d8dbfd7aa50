package api

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestParseIndicators(t *testing.T) {
	ind, err := ParseIndicators(strings.NewReader("\xef\xbb\xbfcode,pop,gdp\n110000,1,2.5\r\n120000,,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ind.Columns) != 2 || ind.Values["110000"][1] != 2.5 || !math.IsNaN(ind.Values["120000"][0]) || ind.Hash == "" {
		t.Errorf("parsed %+v", ind)
	}
}

func TestParseIndicatorsErrorsNameLineAndColumn(t *testing.T) {
	cases := []struct {
		in         string
		line, col  int
		msgContain string
	}{
		{"", 1, 1, "empty"},
		{"code\n", 1, 1, "at least one"},
		{"id,pop\n", 1, 1, "code"},
		{"code,pop,\n", 1, 3, "empty"},
		{"code,pop,pop\n", 1, 3, "repeats"},
		{"code,pop\n110000,1\n12000,2\n", 3, 1, "6-digit"},
		{"code,pop\n110000,1\n110000,2\n", 3, 1, "line 2"},
		{"code,pop,gdp\n110000,1,abc\n", 2, 3, "gdp"},
		{"code,pop,gdp\n110000,1,NaN\n", 2, 3, "finite"},
		{"code,pop\n110000,1,2\n", 2, 0, "number of fields"},
		{"code,pop\n110000,\"1\n", 2, 0, ""},
	}
	for _, c := range cases {
		_, err := ParseIndicators(strings.NewReader(c.in))
		var ie *IndicatorError
		if !errors.As(err, &ie) {
			t.Errorf("%q: error %v is not an IndicatorError", c.in, err)
			continue
		}
		if ie.Line != c.line || (c.col > 0 && ie.Column != c.col) || !strings.Contains(ie.Error(), c.msgContain) {
			t.Errorf("%q: %v (want line %d col %d, %q)", c.in, ie, c.line, c.col, c.msgContain)
		}
		if !strings.Contains(ie.Error(), "line ") || !strings.Contains(ie.Error(), "column ") {
			t.Errorf("message %q lacks line/column", ie.Error())
		}
	}
}

func FuzzParseIndicators(f *testing.F) {
	for _, s := range []string{"code,pop\n110000,1\n", "code,a,b\n110000,,2\n120000,3,\n", "code\n", "\"", "code,pop\n110000,\"1\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		ind, err := ParseIndicators(strings.NewReader(string(raw)))
		if err != nil {
			var ie *IndicatorError
			if !errors.As(err, &ie) || ie.Line < 1 {
				t.Fatalf("error without a position: %v", err)
			}
			return
		}
		for code, vals := range ind.Values {
			if !isGBCode(code) || len(vals) != len(ind.Columns) {
				t.Fatalf("bad row %q %v", code, vals)
			}
			for _, v := range vals {
				if math.IsInf(v, 0) {
					t.Fatal("infinite value accepted")
				}
			}
		}
	})
}
