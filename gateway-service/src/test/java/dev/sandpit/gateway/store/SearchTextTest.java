package dev.sandpit.gateway.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SearchTextTest {
  private static final String ALPHABET = "ab cdeé日本😀\n\t'%_!" + SearchText.SEPARATOR;

  private static String random(Random rnd, int max) {
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(max + 1);
    int[] cps = ALPHABET.codePoints().filter(cp -> cp != SearchText.SEPARATOR).toArray();
    for (int i = 0; i < n; i++) b.appendCodePoint(cps[rnd.nextInt(cps.length)]);
    return b.toString();
  }

  @Test
  void everySubstringOfATextHasAllItsBitsInTheTextsBitmap() {
    Random rnd = new Random(7);
    for (int round = 0; round < 300; round++) {
      List<String> texts = new ArrayList<>();
      for (int i = rnd.nextInt(4); i > 0; i--) texts.add(random(rnd, 60));
      byte[] grams = SearchText.grams(texts);
      for (String t : texts) {
        int[] cps = t.codePoints().toArray();
        for (int from = 0; from < cps.length; from++) {
          for (int to = from + 1; to <= cps.length && to <= from + 2; to++) {
            String q = new String(cps, from, to - from);
            for (int bit : SearchText.queryBits(q)) assertTrue(SearchText.isSet(grams, bit), "q=" + q + " of " + texts);
          }
        }
      }
    }
  }

  @Test
  void aQWithAPairNoTextHoldsIsMostlyRuledOut() {
    // one 3 kB text of words: what a 2-character q that matches nothing meets
    Random rnd = new Random(11);
    String[] words = "int main return while for if else struct static const string buffer queue stack node tree".split(" ");
    StringBuilder b = new StringBuilder();
    while (b.length() < 3000) b.append(words[rnd.nextInt(words.length)]).append(' ');
    byte[] grams = SearchText.grams(List.of(b.toString()));
    int set = 0;
    for (int i = 0; i < SearchText.GRAM_BITS; i++) if (SearchText.isSet(grams, i)) set++;
    assertTrue(set > 50 && set < SearchText.GRAM_BITS / 5, "bits set: " + set);
    int passed = 0, tried = 0;
    for (char x = 'a'; x <= 'z'; x++) {
      for (char y = 'a'; y <= 'z'; y++) {
        String q = "" + x + y;
        if (b.indexOf(q) >= 0) continue;
        tried++;
        boolean all = true;
        for (int bit : SearchText.queryBits(q)) all &= SearchText.isSet(grams, bit);
        if (all) passed++;
      }
    }
    assertTrue(tried > 500, "pairs absent: " + tried);
    assertTrue(passed < tried / 5, passed + " of " + tried + " absent pairs pass the bitmap");
  }

  @Test
  void aQOfOneOrTwoCharactersIsCheckedForItsCharacterOrItsPairAndALongerOneForNothing() {
    assertEquals(List.of(SearchText.bit('a', -1)), bits("a"));
    assertEquals(List.of(SearchText.bit(0x1F600, -1)), bits("😀"), "one code point, not two chars");
    assertEquals(List.of(SearchText.bit('a', 'b')), bits("ab"));
    assertEquals(List.of(SearchText.bit('日', 0x1F600)), bits("日😀"));
    assertEquals(List.of(), bits("abc"));
    assertEquals(List.of(), bits(""));
  }

  private static List<Integer> bits(String q) {
    return java.util.Arrays.stream(SearchText.queryBits(q)).boxed().toList();
  }

  @Test
  void theTextJoinsTheFilesWithTheSeparatorAndBitsAreNumberedAsPostgresGetBitDoes() {
    assertEquals("a" + SearchText.SEPARATOR + "b", SearchText.text(List.of("a", "b")));
    assertEquals("", SearchText.text(List.of()));
    byte[] bits = new byte[SearchText.GRAM_BITS / 8];
    bits[1] = 0b0000_0100; // get_bit(bits, 10) = 1: byte 1, bit 2 from the right
    assertTrue(SearchText.isSet(bits, 10));
    for (int n = 0; n < SearchText.GRAM_BITS; n++) if (n != 10) assertTrue(!SearchText.isSet(bits, n), "bit " + n);
  }
}
