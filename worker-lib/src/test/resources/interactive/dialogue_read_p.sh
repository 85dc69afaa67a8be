start=${EPOCHREALTIME/./}
while (( ${EPOCHREALTIME/./} - start < 1000000 )); do :; done # computes for a second first
echo ready
read -r -p 'Number? ' n
echo "Double: $((2 * n))"
read -r -p 'A? ' a
read -r -p 'B? ' b
echo "Sum: $((a + b))"
