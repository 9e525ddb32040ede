package io.inferpulse.ingest.receive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineSplitterTest {
    private record Line(String text, long size, long end) {}

    private final List<Line> lines = new ArrayList<>();
    private final LineSplitter.Sink collect = (bytes, size, end) -> {
        lines.add(new Line(new String(bytes, StandardCharsets.UTF_8), size, end));
        return true;
    };

    @Test
    void shouldJoinLinesAcrossChunksAndDropTheCarriageReturn() {
        // given a splitter fed in pieces that cut lines and a CRLF apart
        LineSplitter splitter = new LineSplitter(1024, 100);

        // when
        feed(splitter, "one\r\ntw", collect);
        feed(splitter, "o\r", collect);
        feed(splitter, "\nthree\n", collect);

        // then each line ends at the offset after its newline, counted from the start offset
        assertThat(lines).containsExactly(new Line("one", 3, 105), new Line("two", 3, 110), new Line("three", 5, 116));
        assertThat(splitter.hasPartial()).isFalse();
        assertThat(splitter.offset()).isEqualTo(116);
    }

    @Test
    void shouldKeepAnUnfinishedLineUntilItsNewlineOrTheEnd() {
        // given a line without its newline yet
        LineSplitter splitter = new LineSplitter(1024, 0);
        feed(splitter, "done\npart", collect);
        assertThat(lines).extracting(Line::text).containsExactly("done");
        assertThat(splitter.hasPartial()).isTrue();

        // when the stream ends
        splitter.finish(collect);

        // then it is the last line
        assertThat(lines).extracting(Line::text).containsExactly("done", "part");
        assertThat(splitter.hasPartial()).isFalse();
    }

    @Test
    void shouldHoldOnlyTheStartOfAnOverlongLineButCountItAll() {
        // given a limit of 8 bytes
        LineSplitter splitter = new LineSplitter(8, 0);

        // when a 20-byte line arrives in two chunks, and one whole in a chunk
        feed(splitter, "0123456789", collect);
        feed(splitter, "abcdefghij\nshort\n", collect);
        feed(splitter, "ABCDEFGHIJKLMNOPQRST\n", collect);

        // then the lines keep 8 bytes and report 20
        assertThat(lines).containsExactly(new Line("01234567", 20, 21), new Line("short", 5, 27), new Line("ABCDEFGH", 20, 48));
    }

    @Test
    void shouldStopAfterTheLineTheSinkRefusesMoreAfter() {
        // given a sink that takes two lines
        LineSplitter splitter = new LineSplitter(1024, 0);
        LineSplitter.Sink two = (bytes, size, end) -> {
            collect.line(bytes, size, end);
            return lines.size() < 2;
        };
        byte[] data = "a\nbb\nccc\n".getBytes(StandardCharsets.UTF_8);

        // when
        int consumed = splitter.feed(data, 0, data.length, two);

        // then it consumed up to the second line's newline, and the rest can be fed later
        assertThat(consumed).isEqualTo(5);
        assertThat(splitter.offset()).isEqualTo(5);
        splitter.feed(data, consumed, data.length - consumed, collect);
        assertThat(lines).extracting(Line::text).containsExactly("a", "bb", "ccc");
    }

    @Test
    void shouldCallOnlySpacesAndTabsBlank() {
        assertThat(LineSplitter.isBlank(" \t\r".getBytes(StandardCharsets.UTF_8))).isTrue();
        assertThat(LineSplitter.isBlank(new byte[0])).isTrue();
        assertThat(LineSplitter.isBlank(" x ".getBytes(StandardCharsets.UTF_8))).isFalse();
    }

    private static void feed(LineSplitter splitter, String text, LineSplitter.Sink sink) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        splitter.feed(bytes, 0, bytes.length, sink);
    }
}
