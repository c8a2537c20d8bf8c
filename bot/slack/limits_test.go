package slack

import (
	"encoding/json"
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/slack-go/slack"
)

// checkLimits fails the test when blocks break a Block Kit limit.
func checkLimits(t *testing.T, blocks []slack.Block) {
	t.Helper()
	raw, err := json.Marshal(blocks)
	if err != nil {
		t.Fatal(err)
	}
	var bs []map[string]any
	if err := json.Unmarshal(raw, &bs); err != nil {
		t.Fatal(err)
	}
	if len(bs) > maxBlocks {
		t.Errorf("blocks: got %d; want at most %d", len(bs), maxBlocks)
	}
	ids := map[string]bool{}
	for i, b := range bs {
		where := fmt.Sprintf("block %d (%s)", i, b["type"])
		if id, _ := b["block_id"].(string); id != "" {
			if ids[id] || len(id) > 255 {
				t.Errorf("%s: block_id %q repeated or too long", where, id)
			}
			ids[id] = true
		}
		switch b["type"] {
		case "header":
			checkText(t, where, b["text"], maxHeaderText)
		case "section":
			checkText(t, where, b["text"], maxSectionText)
			if acc, ok := b["accessory"].(map[string]any); ok {
				checkElement(t, where, acc)
			}
		case "context":
			els, _ := b["elements"].([]any)
			if len(els) > maxContextItems {
				t.Errorf("%s: %d elements; want at most %d", where, len(els), maxContextItems)
			}
			for _, el := range els {
				checkText(t, where, el, maxSectionText)
			}
		case "actions":
			els, _ := b["elements"].([]any)
			if len(els) > 25 {
				t.Errorf("%s: %d elements; want at most 25", where, len(els))
			}
			for _, el := range els {
				checkElement(t, where, el.(map[string]any))
			}
		}
	}
}

func checkText(t *testing.T, where string, v any, limit int) {
	t.Helper()
	obj, _ := v.(map[string]any)
	s, _ := obj["text"].(string)
	if n := utf8.RuneCountInString(s); n > limit || n == 0 || !visible(s) {
		t.Errorf("%s: text of %d characters (visible: %v); want 1 to %d, something visible", where, n, visible(s), limit)
	}
}

func checkElement(t *testing.T, where string, el map[string]any) {
	t.Helper()
	if id, _ := el["action_id"].(string); len(id) > 255 {
		t.Errorf("%s: action_id too long", where)
	}
	switch el["type"] {
	case "button":
		checkText(t, where+" button", el["text"], maxButtonText)
		if v, _ := el["value"].(string); len(v) > maxButtonValue {
			t.Errorf("%s: button value of %d bytes", where, len(v))
		}
	case "static_select", "overflow":
		opts, _ := el["options"].([]any)
		if el["type"] == "overflow" && len(opts) > maxOverflowOption {
			t.Errorf("%s: overflow with %d options", where, len(opts))
		}
		for _, o := range opts {
			om := o.(map[string]any)
			checkText(t, where+" option", om["text"], maxOptionText)
			if v, _ := om["value"].(string); len(v) > maxOptionValue {
				t.Errorf("%s: option value of %d bytes", where, len(v))
			}
		}
	}
}
