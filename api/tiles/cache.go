package tiles

import (
	"container/list"
	"sync"
)

// entryOverhead approximates the bytes an entry costs beyond its body (map
// slot, list element, key): charged so that a cache full of empty tiles is
// bounded too.
const entryOverhead = 128

// lruCache holds tile bodies, least recently used evicted first, with the
// sum of body sizes plus overhead kept at or below max. Empty tiles (nil
// bodies) are cached as well: on a map most tiles are ocean.
type lruCache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	ll      *list.List // front: most recent
	items   map[tileKey]*list.Element
	hits    uint64
	misses  uint64
	evicted uint64
}

type cacheEntry struct {
	key  tileKey
	body []byte
}

// CacheStats is a snapshot of the tile cache.
type CacheStats struct {
	Entries  int
	Bytes    int64 // bodies plus per-entry overhead
	MaxBytes int64
	Hits     uint64
	Misses   uint64
	Evicted  uint64
}

func newLRUCache(max int64) *lruCache {
	return &lruCache{max: max, ll: list.New(), items: map[tileKey]*list.Element{}}
}

func cost(body []byte) int64 { return int64(len(body)) + entryOverhead }

func (c *lruCache) get(k tileKey) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.ll.MoveToFront(e)
		c.hits++
		return e.Value.(*cacheEntry).body, true
	}
	c.misses++
	return nil, false
}

func (c *lruCache) add(k tileKey, body []byte) {
	n := cost(body)
	if n > c.max {
		return // would evict everything and still not fit
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.size += n - cost(e.Value.(*cacheEntry).body)
		e.Value.(*cacheEntry).body = body
		c.ll.MoveToFront(e)
	} else {
		c.items[k] = c.ll.PushFront(&cacheEntry{key: k, body: body})
		c.size += n
	}
	for c.size > c.max {
		e := c.ll.Back()
		ent := e.Value.(*cacheEntry)
		c.ll.Remove(e)
		delete(c.items, ent.key)
		c.size -= cost(ent.body)
		c.evicted++
	}
}

func (c *lruCache) stats() CacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return CacheStats{Entries: c.ll.Len(), Bytes: c.size, MaxBytes: c.max, Hits: c.hits, Misses: c.misses, Evicted: c.evicted}
}
