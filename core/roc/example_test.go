package roc_test

import (
	"fmt"

	"github.com/smearflow/smearflow/core/roc"
)

func Example() {
	labels := []int8{1, 0, 1, 0, 1, 0}
	scores := []float64{0.9, 0.8, 0.5, 0.5, 0.3, 0.1}
	s, err := roc.New(labels, scores, nil)
	if err != nil {
		panic(err)
	}
	auc, _ := s.AUC()
	p, _ := s.At(0.5)
	fmt.Printf("AUC = %.4f\n", auc)
	fmt.Printf("at tpr >= 0.5: fpr = %.3f, rejection = %.1f, threshold = %v\n", p.FPR, p.Rejection, p.Threshold)
	c := s.Curve()
	fmt.Println("points:", c.Len())
	b, _ := s.Bootstrap(roc.BootstrapConfig{N: 100, Confidence: 0.68, Seed: 1})
	fmt.Println("band brackets AUC:", b.AUC.Lo <= auc && auc <= b.AUC.Hi)
	// Output:
	// AUC = 0.6111
	// at tpr >= 0.5: fpr = 0.667, rejection = 1.5, threshold = 0.5
	// points: 6
	// band brackets AUC: true
}

func ExampleAUC_undefined() {
	_, err := roc.AUC([]int8{1, 1}, []float64{0.2, 0.7}, nil)
	fmt.Println(roc.IsUndefined(err))
	// Output: true
}
