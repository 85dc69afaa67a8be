const readline = require('readline');

const t = Date.now();
let x = 0;
while (Date.now() - t < 1000) x++; // computes for a second before asking anything
console.log('ready');
const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: false });
rl.question('Number? ', (n) => {
  console.log('Double: ' + 2 * Number(n));
  rl.question('A? ', (a) => {
    rl.question('B? ', (b) => {
      console.log('Sum: ' + (Number(a) + Number(b)));
      rl.close();
    });
  });
});
