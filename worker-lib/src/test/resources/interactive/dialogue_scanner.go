package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

var in = bufio.NewScanner(os.Stdin)

func ask(prompt string) int {
	fmt.Print(prompt)
	if !in.Scan() {
		os.Exit(2)
	}
	v, err := strconv.Atoi(strings.TrimSpace(in.Text()))
	if err != nil {
		os.Exit(3)
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
