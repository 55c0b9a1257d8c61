package housing_test

import (
	"fmt"
	"net/http"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// BenchmarkPlacement is one placement into an accommodation and its exit,
// over HTTP, through the store's place and person records (six store
// operations each way), with the relay publishing meanwhile, on the
// embedded stack. BenchmarkRawFindByID gives the same store's own cost of
// one operation at the same size, to read it against.
func BenchmarkPlacement(b *testing.B) {
	f := start(b)
	acc := f.accommodation(b, "aurora", "Casa", "emergency_shelter", "RM", "Via Uno 1, Roma", 50)
	b.ResetTimer()
	for i := range b.N {
		id := fmt.Sprintf("bench-%d", i)
		f.must(b, http.StatusCreated, "aurora", http.MethodPost, "/v1/steps", `{"id":"`+id+`","person":"ps-`+id+`","kind":"emergency_shelter","accommodation_id":"`+acc+`","start":"2026-02-01"}`, nil)
		f.must(b, http.StatusOK, "aurora", http.MethodPost, "/v1/steps/"+id+"/end", `{"end":"2026-02-02","reason":"other","destination":"unknown"}`, nil)
	}
}

// BenchmarkRawFindByID is one FindOne by _id in a collection of 200
// documents of the embedded MongoDB.
func BenchmarkRawFindByID(b *testing.B) {
	f := start(b)
	c := f.app.DB.Collection("raw_bench")
	docs := make([]any, 200)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: fmt.Sprint("d", i)}, {Key: "person", Value: fmt.Sprint("ps-", i)}}
	}
	if _, err := c.InsertMany(b.Context(), docs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if err := c.FindOne(b.Context(), bson.D{{Key: "_id", Value: fmt.Sprint("d", i%200)}}).Err(); err != nil {
			b.Fatal(err)
		}
	}
}
