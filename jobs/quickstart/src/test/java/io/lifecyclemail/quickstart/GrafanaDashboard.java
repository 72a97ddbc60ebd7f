package io.lifecyclemail.quickstart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** deploy/grafana/lifecycle-mail.json as panels of PromQL, for the checks that it matches the docs and the live metrics. */
record GrafanaDashboard(List<Panel> panels) {
    record Panel(String title, String datasource, List<String> queries) {}

    private static final Pattern METRIC = Pattern.compile("\\bflink_[A-Za-z0-9_]+");

    /** The dashboard of this checkout, found from the repository root or a module. */
    static Path file() {
        return Checkout.file("deploy/grafana/lifecycle-mail.json");
    }

    @SuppressWarnings("unchecked")
    static GrafanaDashboard read(Path file) throws Exception {
        // JSON is YAML 1.2: the YAML reader the scenario loader uses reads it
        Map<String, Object> json = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(file));
        List<Panel> panels = ((List<Map<String, Object>>) json.get("panels")).stream().map(panel -> new Panel(
                (String) panel.get("title"), (String) ((Map<String, Object>) panel.get("datasource")).get("uid"),
                ((List<Map<String, Object>>) panel.get("targets")).stream().map(target -> (String) target.get("expr"))
                        .toList())).toList();
        return new GrafanaDashboard(panels);
    }

    /** Every metric name a query of the dashboard reads. */
    Set<String> metrics() {
        Set<String> names = new TreeSet<>();
        for (Panel panel : panels) {
            for (String query : panel.queries()) {
                Matcher metric = METRIC.matcher(query);
                while (metric.find()) {
                    names.add(metric.group());
                }
            }
        }
        return names;
    }
}
