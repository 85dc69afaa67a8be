const t = Date.now();
let x = 0;
while (Date.now() - t < 1000) x++; // computes for a second before asking anything
console.log('ready');
const prompts = ['Number? ', 'A? ', 'B? '];
const answers = [];
let buf = '';
process.stdout.write(prompts[0]);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  let i;
  while ((i = buf.indexOf('\n')) >= 0) {
    answers.push(Number(buf.slice(0, i)));
    buf = buf.slice(i + 1);
    if (answers.length === 1) console.log('Double: ' + 2 * answers[0]);
    if (answers.length < 3) {
      process.stdout.write(prompts[answers.length]);
    } else {
      console.log('Sum: ' + (answers[1] + answers[2]));
      process.stdin.destroy();
    }
  }
});
