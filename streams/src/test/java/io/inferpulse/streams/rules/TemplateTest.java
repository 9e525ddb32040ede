package io.inferpulse.streams.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    private static final Map<String, String> LABELS = Map.of("model_name", "llama", "name", "pool-a", "ratio", "0.25",
            "word", "abc");

    @Test
    void shouldRenderLabelsThroughBothSpellings() {
        assertThat(render("{{ $labels.model_name }}/{{.Labels.name}}", 1)).isEqualTo("llama/pool-a");
    }

    @Test
    void shouldRenderAMissingLabelAsEmpty() {
        assertThat(render("target [{{ $labels.target_model_name }}]", 1)).isEqualTo("target []");
        assertThat(render("[{{ $externalLabels.region }}]", 1)).isEqualTo("[]");
    }

    @Test
    void shouldRenderTheValueAsGoPrintsAFloat() {
        assertThat(render("{{ $value }}", 12.5)).isEqualTo("12.5");
        assertThat(render("{{ .Value }}", 1e6)).isEqualTo("1e+06");
        assertThat(render("{{ $value }}", 100000)).isEqualTo("100000");
        assertThat(render("{{ $value }}", 0.1 + 0.2)).isEqualTo("0.30000000000000004");
        assertThat(render("{{ $value }}", Double.NaN)).isEqualTo("NaN");
        assertThat(render("{{ $value }}", Double.POSITIVE_INFINITY)).isEqualTo("+Inf");
        assertThat(render("{{ $value }}", 0)).isEqualTo("0");
        assertThat(render("{{ $value }}", 0.00001)).isEqualTo("1e-05");
    }

    @Test
    void shouldPipeIntoTheHumanizeFunctions() {
        assertThat(render("{{ $value | humanize }}", 1234567)).isEqualTo("1.235M");
        assertThat(render("{{ humanize $value }}", 0.0012)).isEqualTo("1.2m");
        assertThat(render("{{ $value | humanizePercentage }}", 0.0523)).isEqualTo("5.23%");
        assertThat(render("{{ $value | humanizeDuration }}", 3700)).isEqualTo("1h 1m 40s");
        assertThat(render("{{ $labels.ratio | humanizePercentage }}", 1)).isEqualTo("25%");
    }

    @Test
    void shouldFormatWithPrintfAndCaseFunctions() {
        assertThat(render("{{ printf \"%.2f\" $value }}", 12.3456)).isEqualTo("12.35");
        assertThat(render("{{ $value | printf \"%.1f s\" }}", 9.96)).isEqualTo("10.0 s");
        assertThat(render("{{ $labels.name | toUpper }} {{ toLower \"ABC\" }}", 1)).isEqualTo("POOL-A abc");
        assertThat(render("{{ $labels.name | title }}", 1)).isEqualTo("Pool-A");
        assertThat(render("{{ $externalURL }}/alerts", 1)).isEqualTo("http://prom:9090/alerts");
    }

    @Test
    void shouldTrimAroundDashedDelimiters() {
        assertThat(render("value:  {{- $value -}}  !", 3)).isEqualTo("value:3!");
    }

    @Test
    void shouldRenderPrometheusErrorTextWhenAFunctionFailsOnItsInput() {
        assertThat(render("{{ $labels.word | humanize }}", 1))
                .isEqualTo("<error expanding template: strconv.ParseFloat: parsing \"abc\": invalid syntax>");
    }

    @Test
    void shouldRefuseUnsupportedSyntaxAtParseTime() {
        assertThatThrownBy(() -> Template.parse("{{ if gt $value 1.0 }}big{{ end }}"))
                .hasMessageContaining("\"if\" in {{ if gt $value 1.0 }} is not supported");
        assertThatThrownBy(() -> Template.parse("{{ query \"up\" }}")).hasMessageContaining("\"query\"");
        assertThatThrownBy(() -> Template.parse("{{ $value | first }}"))
                .hasMessageContaining("\"first\" in {{ $value | first }} is not a supported function");
        assertThatThrownBy(() -> Template.parse("{{ $labels }}")).hasMessageContaining("\"$labels\"");
        assertThatThrownBy(() -> Template.parse("x {{ $value ")).hasMessageContaining("unclosed action");
        assertThatThrownBy(() -> Template.parse("{{ }}")).hasMessageContaining("empty action");
        assertThatThrownBy(() -> Template.parse("{{ (humanize $value) }}")).hasMessageContaining("parenthesised");
    }

    private static String render(String template, double value) {
        return Template.parse(template).render(new Template.Data(LABELS, value, Map.of(), "http://prom:9090"));
    }
}
