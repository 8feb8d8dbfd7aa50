package api

import (
	"strings"
	"testing"
)

func TestItemsCarryFlatFields(t *testing.T) {
	s := newTestServer(t, Config{})
	f := get(t, s, "/collections/cities/items/130400").json(t)
	props := f["properties"].(map[string]any)
	ids := strings.Split(props["cluster_ids"].(string), ",")
	if len(ids) != 2 || !contains(ids, "jing-jin-ji") || !contains(ids, "central-plains") {
		t.Errorf("130400 cluster_ids = %q, want jing-jin-ji and central-plains", props["cluster_ids"])
	}
	if _, ok := props["clusters"].([]any); !ok {
		t.Errorf("the clusters JSON array is gone: %v", props["clusters"])
	}
	c := get(t, s, "/collections/clusters/items/jing-jin-ji").json(t)["properties"].(map[string]any)
	if !strings.Contains(c["member_codes"].(string), "130400") || !strings.Contains(c["member_names"].(string), "邯郸") {
		t.Errorf("jing-jin-ji member fields: %q / %q", c["member_codes"], c["member_names"])
	}
}

func TestItemPageRendersMembersAsTables(t *testing.T) {
	s := newTestServer(t, Config{})
	r := get(t, s, "/collections/clusters/items/jing-jin-ji?f=html")
	wantStatus(t, r, 200)
	body := string(r.Body)
	if !strings.Contains(body, `<table class="nested"><tr><th>code</th>`) {
		t.Errorf("members are not a table:\n%s", grepLines(body, "members"))
	}
	if strings.Contains(body, `{&#34;code&#34;`) || strings.Contains(body, `<td>[{`) {
		t.Errorf("raw JSON on the item page:\n%s", grepLines(body, "code"))
	}
	if !strings.Contains(body, "<td>邯郸市</td>") {
		t.Errorf("邯郸市 is not a table cell")
	}
}

func TestLandingTitleDoesNotRepeat(t *testing.T) {
	s := newTestServer(t, Config{})
	body := string(get(t, s, "/?f=html").Body)
	if !strings.Contains(body, "<title>Cluster Atlas</title>") {
		t.Errorf("landing title: %s", grepLines(body, "<title>"))
	}
	body = string(get(t, s, "/collections?f=html").Body)
	if !strings.Contains(body, "<title>Collections — Cluster Atlas</title>") {
		t.Errorf("collections title: %s", grepLines(body, "<title>"))
	}
}

func TestCellHTMLEscapes(t *testing.T) {
	got := string(cellHTML([]any{map[string]any{"name": "<script>"}}))
	if strings.Contains(got, "<script>") || !strings.Contains(got, "&lt;script&gt;") {
		t.Errorf("not escaped: %s", got)
	}
	if got := string(cellHTML(map[string]any{"url": "https://x.test/?a=1&b=2"})); !strings.Contains(got, `href="https://x.test/?a=1&amp;b=2"`) {
		t.Errorf("url cell: %s", got)
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
