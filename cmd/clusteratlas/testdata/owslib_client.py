"""OWSLib (Debian's python3-owslib) as a GIS client would use it, against
the server at argv[1]; prints one JSON object for owslib_test.go to check."""
import json
import sys

from owslib.ogcapi.features import Features

api = Features(sys.argv[1])
out = {"collections": sorted(api.feature_collections())}  # ids of itemType feature
q = api.collection_queryables("clusters")
out["queryables"] = sorted(q.get("properties", {}).keys())
national = api.collection_items("clusters", **{"filter": "tier = 'national'", "filter-lang": "cql2-text", "limit": 100})
out["national"] = [f["id"] for f in national["features"]]
handan = api.collection_items("cities", **{"filter": "code = '130400'", "limit": 10})
out["handan_cluster_ids"] = handan["features"][0]["properties"].get("cluster_ids") if handan["features"] else None
# page through the cities with OWSLib's own offset paging
seen, offset = 0, 0
while True:
    page = api.collection_items("cities", limit=50, offset=offset, zoom=3)
    n = len(page["features"])
    seen += n
    if n < 50:
        break
    offset += n
out["cities_paged"] = seen
out["cities_matched"] = page.get("numberMatched")
print(json.dumps(out))
