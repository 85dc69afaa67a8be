package main

import (
	"fmt"
	"os"
	"time"
)

func ask(prompt string) int {
	fmt.Print(prompt)
	var v int
	if _, err := fmt.Scan(&v); err != nil {
		os.Exit(2)
	}
	return v
}

func main() {
	t := time.Now()
	x := 0
	for time.Since(t) < time.Second { // computes for a second before asking anything
		x++
	}
	fmt.Println("ready")
	n := ask("Number? ")
	fmt.Printf("Double: %d\n", 2*n)
	a := ask("A? ")
	b := ask("B? ")
	fmt.Printf("Sum: %d\n", a+b)
	_ = x
}
