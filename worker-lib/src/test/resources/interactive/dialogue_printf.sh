start=${EPOCHREALTIME/./}
while (( ${EPOCHREALTIME/./} - start < 1000000 )); do :; done # computes for a second first
echo ready
printf 'Number? '
read -r n
echo "Double: $((2 * n))"
printf 'A? '
read -r a
printf 'B? '
read -r b
echo "Sum: $((a + b))"
