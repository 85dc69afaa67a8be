package dev.sandpit.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sandpit.protocol.RunStatus;
import dev.sandpit.protocol.ServerEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seed 004's test list for every language, through the whole stack: hello world, then one program
 * asking for a string, an integer, and two numbers to add, answered through input_request /
 * input_response.
 */
@Timeout(180)
class LanguagesE2EIT {
  static Stack stack;

  @BeforeAll
  static void up() throws Exception {
    stack = new Stack(63100).gateway();
    stack.executor(2);
    stack.build(2);
  }

  @AfterAll
  static void down() throws Exception {
    stack.close();
  }

  static final String[][] PROMPTS = {{"Name? ", "Ada\n"}, {"Number? ", "21\n"}, {"a? ", "3\n"}, {"b? ", "4\n"}};
  static final String EXPECTED = "Hi Ada\n42\nsum 7\n";

  static Stream<Arguments> languages() {
    return Stream.of(
        Arguments.of("python", "print('Hello, World!')",
            "name = input('Name? ')\nn = int(input('Number? '))\na = int(input('a? '))\nb = int(input('b? '))\n"
                + "print(f'Hi {name}')\nprint(n * 2)\nprint(f'sum {a + b}')\n"),
        Arguments.of("javascript", "console.log('Hello, World!')",
            "const rl = require('readline').createInterface({input: process.stdin, output: process.stdout});\n"
                + "const ask = q => new Promise(r => rl.question(q, r));\n"
                + "(async () => { const name = await ask('Name? '); const n = parseInt(await ask('Number? '));\n"
                + "  const a = parseInt(await ask('a? ')); const b = parseInt(await ask('b? '));\n"
                + "  console.log(`Hi ${name}`); console.log(n * 2); console.log(`sum ${a + b}`); rl.close(); })();\n"),
        Arguments.of("c", "#include <stdio.h>\nint main(void){ printf(\"Hello, World!\\n\"); return 0; }\n",
            "#include <stdio.h>\nint main(void){ char name[64]; int n, a, b;\n"
                + " printf(\"Name? \"); scanf(\"%63s\", name); printf(\"Number? \"); scanf(\"%d\", &n);\n"
                + " printf(\"a? \"); scanf(\"%d\", &a); printf(\"b? \"); scanf(\"%d\", &b);\n"
                + " printf(\"Hi %s\\n%d\\nsum %d\\n\", name, n * 2, a + b); return 0; }\n"),
        Arguments.of("cpp", "#include <iostream>\nint main(){ std::cout << \"Hello, World!\" << std::endl; }\n",
            "#include <iostream>\n#include <string>\nint main(){ std::string name; int n, a, b;\n"
                + " std::cout << \"Name? \"; std::getline(std::cin, name); std::cout << \"Number? \"; std::cin >> n;\n"
                + " std::cout << \"a? \"; std::cin >> a; std::cout << \"b? \"; std::cin >> b;\n"
                + " std::cout << \"Hi \" << name << \"\\n\" << n * 2 << \"\\nsum \" << a + b << std::endl; }\n"),
        Arguments.of("rust", "fn main() { println!(\"Hello, World!\"); }\n",
            "use std::io::{self, BufRead, Write};\n"
                + "fn ask(q: &str) -> String { print!(\"{}\", q); io::stdout().flush().unwrap();\n"
                + "  let mut s = String::new(); io::stdin().lock().read_line(&mut s).unwrap(); s.trim().to_string() }\n"
                + "fn main() { let name = ask(\"Name? \"); let n: i64 = ask(\"Number? \").parse().unwrap();\n"
                + "  let a: i64 = ask(\"a? \").parse().unwrap(); let b: i64 = ask(\"b? \").parse().unwrap();\n"
                + "  println!(\"Hi {}\", name); println!(\"{}\", n * 2); println!(\"sum {}\", a + b); }\n"),
        Arguments.of("go", "package main\nimport \"fmt\"\nfunc main() { fmt.Println(\"Hello, World!\") }\n",
            "package main\nimport (\"bufio\"; \"fmt\"; \"os\"; \"strconv\"; \"strings\")\n"
                + "func main() { r := bufio.NewReader(os.Stdin)\n"
                + "  ask := func(q string) string { fmt.Print(q); s, _ := r.ReadString('\\n'); return strings.TrimSpace(s) }\n"
                + "  name := ask(\"Name? \"); n, _ := strconv.Atoi(ask(\"Number? \")); a, _ := strconv.Atoi(ask(\"a? \")); b, _ := strconv.Atoi(ask(\"b? \"))\n"
                + "  fmt.Printf(\"Hi %s\\n%d\\nsum %d\\n\", name, n*2, a+b) }\n"),
        Arguments.of("java", "public class Main { public static void main(String[] a) { System.out.println(\"Hello, World!\"); } }\n",
            "import java.util.Scanner;\npublic class Main { public static void main(String[] args) {\n"
                + " Scanner s = new Scanner(System.in);\n"
                + " System.out.print(\"Name? \"); String name = s.nextLine();\n"
                + " System.out.print(\"Number? \"); int n = Integer.parseInt(s.nextLine().trim());\n"
                + " System.out.print(\"a? \"); int a = Integer.parseInt(s.nextLine().trim());\n"
                + " System.out.print(\"b? \"); int b = Integer.parseInt(s.nextLine().trim());\n"
                + " System.out.println(\"Hi \" + name); System.out.println(n * 2); System.out.println(\"sum \" + (a + b)); } }\n"),
        Arguments.of("bash", "echo 'Hello, World!'",
            "printf 'Name? '; read -r name\nprintf 'Number? '; read -r n\nprintf 'a? '; read -r a\nprintf 'b? '; read -r b\n"
                + "echo \"Hi $name\"; echo $((n * 2)); echo \"sum $((a + b))\"\n"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("languages")
  void helloWorldAndInteractiveProgramRunThroughTheStack(String lang, String hello, String interactive) throws Exception {
    try (WsClient c = WsClient.connect(stack.port())) {
      c.send(new JsonObject().put("type", "execute").put("language", lang).put("code", hello).put("request_id", "hello").encode());
      String job = c.accepted("hello").jobId();
      ServerEvent.Complete done = c.complete(job, 60_000);
      assertEquals(RunStatus.OK, done.status(), () -> "hello " + lang + ": " + c.raw());
      assertEquals("Hello, World!\n", c.stdout(job));

      c.send(new JsonObject().put("type", "execute").put("language", lang).put("code", interactive).put("request_id", "ask").encode());
      String job2 = c.accepted("ask").jobId();
      for (int i = 0; i < PROMPTS.length; i++) {
        ServerEvent.InputRequest req = c.inputRequest(job2, i + 1, 30_000);
        assertEquals(PROMPTS[i][0], req.prompt(), "prompt " + (i + 1) + " of " + lang);
        assertTrue(c.stdout(job2).endsWith(PROMPTS[i][0]), "the prompt is output before the request");
        c.send(new JsonObject().put("type", "input_response").put("job_id", job2).put("data", PROMPTS[i][1]).encode());
      }
      ServerEvent.Complete done2 = c.complete(job2, 60_000);
      assertEquals(RunStatus.OK, done2.status(), () -> lang + ": " + c.raw());
      assertEquals("Name? Number? a? b? " + EXPECTED, c.stdout(job2));
      List<ServerEvent> evs = c.events(job2);
      assertEquals(PROMPTS.length, evs.stream().filter(e -> e instanceof ServerEvent.InputRequest).count(),
          "one request per blocked read");
      if (!lang.equals("python") && !lang.equals("javascript") && !lang.equals("bash")) {
        ServerEvent.Compile compile = (ServerEvent.Compile) evs.stream().filter(e -> e instanceof ServerEvent.Compile).findFirst().orElseThrow();
        assertEquals("ok", compile.status());
      }
      for (int i = 0; i < evs.size(); i++) assertEquals(i + 1, evs.get(i).seq());
    }
  }
}
