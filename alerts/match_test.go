package alerts_test

import (
	"slices"
	"testing"

	"github.com/lookoutbot/lookout/alerts"
)

func TestMatchTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		hits []alerts.Hit
		want []string
	}{
		{"no hits", nil, nil},
		{"one hit", []alerts.Hit{{Term: "shipment", Start: 4, End: 12}}, []string{"shipment"}},
		{
			name: "distinct, in order of first hit",
			hits: []alerts.Hit{{Term: "port"}, {Term: "shipment"}, {Term: "port"}, {Term: "#cartel"}, {Term: "shipment"}},
			want: []string{"port", "shipment", "#cartel"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (alerts.Match{Hits: tt.hits}).Terms(); !slices.Equal(got, tt.want) {
				t.Errorf("Terms() = %v; want %v", got, tt.want)
			}
		})
	}
}
