package io.lifecyclemail.decision.flink;

import static io.lifecyclemail.decision.flink.GovernorHarnessTest.commands;
import static io.lifecyclemail.decision.flink.GovernorHarnessTest.harness;
import static io.lifecyclemail.decision.flink.GovernorHarnessTest.push;
import static org.assertj.core.api.Assertions.assertThat;

import io.lifecyclemail.decision.CustomerInputs;
import io.lifecyclemail.decision.govern.Governor;
import io.lifecyclemail.decision.scenario.Cap;
import io.lifecyclemail.decision.scenario.Governance;
import io.lifecyclemail.decision.scenario.GovernorPolicy;
import io.lifecyclemail.decision.scenario.QuietHours;
import io.lifecyclemail.decision.scenario.RestockScenario;
import io.lifecyclemail.schema.CustomerProfile;
import io.lifecyclemail.schema.Decision;
import io.lifecyclemail.schema.DecisionOutcome;
import io.lifecyclemail.schema.DeliveryResult;
import io.lifecyclemail.schema.DeliveryStatus;
import io.lifecyclemail.schema.EngagementEvent;
import io.lifecyclemail.schema.EngagementType;
import io.lifecyclemail.schema.SendCommand;
import io.lifecyclemail.state.CustomerInput;
import io.lifecyclemail.state.ScenarioTrigger;
import io.lifecyclemail.state.StockOut;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * Over thousands of random customer histories under random policies, run through the customer stage
 * as Flink runs it: no customer ever exceeds a cap, no marketing mail goes out inside quiet hours,
 * without consent or after a suppression (no mail at all after a hard bounce), every candidate gets
 * exactly one final decision (a DEFERRED record only before it), and every SENT has its one command.
 * The expectations are computed here from the history alone, by a model of consent and suppression
 * written for the test.
 */
class GovernorPropertyTest {
    static final long START = Instant.parse("2026-03-01T00:00:00Z").toEpochMilli(); // spans both DST changes of March
    static final long SPAN = Duration.ofDays(35).toMillis();
    static final long HOUR = Duration.ofHours(1).toMillis();
    static final List<String> ZONES = List.of("Asia/Tokyo", "Europe/Berlin", "America/New_York");
    static final List<Duration> WINDOWS = List.of(Duration.ofHours(1), Duration.ofHours(6), Duration.ofDays(1),
            Duration.ofDays(3), Duration.ofDays(7));

    @Test
    void noHistoryUnderAnyPolicyBreaksARule() throws Exception {
        Random random = new Random(20261123);
        int histories = 0;
        int sent = 0;
        Map<DecisionOutcome, Integer> outcomes = new java.util.EnumMap<>(DecisionOutcome.class);
        for (int run = 0; run < 60; run++) {
            GovernorPolicy policy = randomPolicy(random);
            List<RestockScenario> scenarios = randomScenarios(random);
            var harness = harness(policy, scenarios, new HashMapStateBackend());
            harness.open();
            Map<String, List<Object>> histories_ = new HashMap<>();
            for (int c = 0; c < 40; c++) {
                String customer = "r" + run + "-c" + c;
                histories_.put(customer, randomHistory(random, customer, scenarios));
            }
            List<Object> all = histories_.values().stream().flatMap(List::stream)
                    .sorted(Comparator.comparingLong(event -> CustomerInputs.eventTime(new CustomerInput(event))))
                    .toList();
            for (Object event : all) {
                push(harness, event);
            }
            for (long watermark = START; watermark < START + SPAN + 3 * SPAN; watermark += 3 * HOUR) {
                harness.processWatermark(new Watermark(watermark));
            }
            harness.processWatermark(new Watermark(Long.MAX_VALUE));
            List<Decision> decisions = harness.extractOutputValues();
            List<SendCommand> commands = commands(harness);
            for (Map.Entry<String, List<Object>> history : histories_.entrySet()) {
                List<Decision> own = decisions.stream().filter(d -> d.getCustomerId().equals(history.getKey())).toList();
                check(policy, scenarios, history.getValue(), own,
                        commands.stream().filter(c -> c.getCustomerId().equals(history.getKey())).toList());
                own.forEach(d -> outcomes.merge(d.getOutcome(), 1, Integer::sum));
                histories++;
            }
            sent += commands.size();
            assertThat(harness.numEventTimeTimers()).as("nothing left waiting").isZero();
            harness.close();
        }
        assertThat(histories).isEqualTo(2400);
        // the random policies exercise every rule, or the properties above would prove little
        assertThat(outcomes.keySet()).contains(DecisionOutcome.SENT, DecisionOutcome.CAPPED, DecisionOutcome.DEFERRED,
                DecisionOutcome.LOST_PRIORITY, DecisionOutcome.NO_CONSENT, DecisionOutcome.SUPPRESSED,
                DecisionOutcome.HELD_OUT, DecisionOutcome.STALE);
        assertThat(sent).isGreaterThan(1000);
    }

    static void check(GovernorPolicy policy, List<RestockScenario> scenarios, List<Object> history,
                      List<Decision> decisions, List<SendCommand> commands) {
        long triggers = history.stream().filter(ScenarioTrigger.class::isInstance).count();
        Map<String, List<Decision>> byCandidate = decisions.stream().collect(Collectors.groupingBy(
                Decision::getDecisionId, java.util.LinkedHashMap::new, Collectors.toList()));
        assertThat(byCandidate).as("one decision id per candidate").hasSize((int) triggers);
        for (List<Decision> records : byCandidate.values()) {
            assertThat(records.stream().filter(d -> d.getOutcome() != DecisionOutcome.DEFERRED))
                    .as("exactly one final record: %s", records).hasSize(1);
            assertThat(records.get(records.size() - 1).getOutcome()).isNotEqualTo(DecisionOutcome.DEFERRED);
        }
        List<Decision> sends = decisions.stream().filter(d -> d.getOutcome() == DecisionOutcome.SENT).toList();
        assertThat(commands).extracting(SendCommand::getSendId)
                .containsExactlyInAnyOrderElementsOf(sends.stream().map(Decision::getSendId).toList())
                .doesNotHaveDuplicates();
        Model model = new Model(history);
        List<Decision> marketing = new ArrayList<>();
        for (Decision send : sends) {
            long time = send.getDecidedAt().toEpochMilli();
            Model.At at = model.at(time);
            assertThat(at.hardBounced()).as("no mail after a hard bounce: %s", send).isFalse();
            if (send.getTransactional()) {
                continue;
            }
            marketing.add(send);
            assertThat(at.consent()).as("marketing mail only with consent: %s", send).isTrue();
            assertThat(at.suppressed()).as("no marketing mail after a suppression: %s", send).isFalse();
            if (policy.quietHours() != null) {
                ZoneId zone = at.zone() == null ? policy.defaultZone() : ZoneId.of(at.zone());
                assertThat(policy.quietHours().contains(Instant.ofEpochMilli(time), zone))
                        .as("not inside quiet hours in %s: %s", zone, send).isFalse();
            }
        }
        for (Cap cap : policy.caps()) {
            assertWithin(cap, marketing);
        }
        for (RestockScenario scenario : scenarios) {
            for (Cap cap : scenario.policy().governance().caps()) {
                assertWithin(cap, marketing.stream().filter(d -> d.getScenarioId().equals(scenario.id())).toList());
            }
        }
    }

    static void assertWithin(Cap cap, List<Decision> sends) {
        List<Long> times = sends.stream().map(d -> d.getDecidedAt().toEpochMilli()).sorted().toList();
        for (int i = 0; i < times.size(); i++) {
            long end = times.get(i);
            long inWindow = times.stream().filter(t -> t > end - cap.per().toMillis() && t <= end).count();
            assertThat(inWindow).as("cap %s at %s", cap, Instant.ofEpochMilli(end)).isLessThanOrEqualTo(cap.max());
        }
    }

    /** Consent, suppression and zone at any time, from the history: the rules as docs/governance.md states them. */
    static final class Model {
        record At(boolean consent, boolean suppressed, boolean hardBounced, String zone) {}

        private final List<Object> events;

        Model(List<Object> history) {
            events = history.stream().filter(e -> !(e instanceof ScenarioTrigger))
                    .sorted(Comparator.comparingLong(event -> CustomerInputs.eventTime(new CustomerInput(event)))).toList();
        }

        At at(long time) {
            boolean consent = false;
            Long suppressedAt = null;
            boolean hard = false;
            String zone = null;
            for (Object event : events) {
                long eventTime = CustomerInputs.eventTime(new CustomerInput(event));
                if (eventTime > time) {
                    break;
                }
                if (event instanceof CustomerProfile profile) {
                    consent = profile.getMarketingConsent();
                    zone = profile.getTimezone();
                    if (consent && suppressedAt != null && profile.getConsentTime().toEpochMilli() > suppressedAt) {
                        suppressedAt = null; // a fresh opt-in after the suppression
                        hard = false;
                    }
                } else if (event instanceof EngagementEvent || event instanceof DeliveryResult) {
                    boolean bounce = event instanceof DeliveryResult
                            || ((EngagementEvent) event).getType() == EngagementType.BOUNCED;
                    if (suppressedAt == null) {
                        suppressedAt = eventTime;
                    }
                    hard |= bounce;
                }
            }
            return new At(consent, suppressedAt != null, hard, zone);
        }
    }

    static GovernorPolicy randomPolicy(Random random) {
        List<Cap> caps = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            caps.add(new Cap(1 + random.nextInt(4), WINDOWS.get(random.nextInt(WINDOWS.size()))));
        }
        QuietHours quiet = random.nextInt(4) == 0 ? null
                : new QuietHours(LocalTime.of(18 + random.nextInt(6), 15 * random.nextInt(4)),
                LocalTime.of(5 + random.nextInt(5), 30 * random.nextInt(2)));
        return new GovernorPolicy(caps, quiet, ZoneId.of(ZONES.get(random.nextInt(ZONES.size()))),
                random.nextBoolean() ? 0 : 0.1, "salt-" + random.nextInt(5), Duration.ofDays(7));
    }

    static List<RestockScenario> randomScenarios(Random random) {
        List<RestockScenario> scenarios = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            List<Cap> caps = random.nextBoolean() ? List.of()
                    : List.of(new Cap(1 + random.nextInt(2), WINDOWS.get(random.nextInt(WINDOWS.size()))));
            boolean transactional = i == 2 && random.nextInt(3) == 0;
            Governance governance = new Governance(transactional, java.util.Set.of(), caps,
                    random.nextBoolean() ? Governance.WhenCapped.DEFER : Governance.WhenCapped.DROP,
                    Duration.ofHours(1 + random.nextInt(48)), transactional || random.nextBoolean() ? 0 : 0.2, List.of());
            scenarios.add(GovernorHarnessTest.scenario("s" + i, 10 * random.nextInt(3), governance));
        }
        return scenarios;
    }

    static List<Object> randomHistory(Random random, String customer, List<RestockScenario> scenarios) {
        List<Object> events = new ArrayList<>();
        java.util.Set<Long> used = new java.util.HashSet<>();
        java.util.function.LongSupplier time = () -> {
            long t;
            do {
                t = START + (random.nextLong(SPAN) / 60_000) * 60_000; // whole minutes: candidates often coincide
            } while (!used.add(t));
            return t;
        };
        for (int i = random.nextInt(4); i >= 0; i--) {
            long t = i == 0 && random.nextBoolean() ? START - HOUR : time.getAsLong();
            boolean consent = random.nextInt(4) > 0;
            events.add(CustomerProfile.newBuilder().setEventId("p-" + customer + "-" + t).setEventTime(Instant.ofEpochMilli(t))
                    .setCustomerId(customer).setMarketingConsent(consent)
                    .setConsentTime(consent ? Instant.ofEpochMilli(t - random.nextInt(2) * 30 * 24 * HOUR) : null)
                    .setTimezone(random.nextInt(4) == 0 ? null : ZONES.get(random.nextInt(ZONES.size()))).build());
        }
        List<String> products = List.of("tea", "cup", "pot");
        int triggers = 3 + random.nextInt(20);
        long burst = time.getAsLong();
        for (int i = 0; i < triggers; i++) {
            RestockScenario scenario = scenarios.get(random.nextInt(scenarios.size()));
            // a third of the triggers at one instant: candidates that arrive together
            long t = random.nextInt(3) == 0 ? burst : START + (random.nextLong(SPAN) / 60_000) * 60_000;
            events.add(ScenarioTrigger.newBuilder().setScenarioId(scenario.id()).setCustomerId(customer)
                    .setTriggerEventId("t-" + customer + "-" + i).setEventTime(t).setEntryKey(products.get(random.nextInt(3)))
                    .setItems(List.of(new io.lifecyclemail.schema.ItemLine(io.lifecyclemail.schema.Product.newBuilder()
                            .setProductId(products.get(random.nextInt(3))).build(), 1)))
                    .setReason("back in stock").build());
        }
        for (int i = random.nextInt(6) == 0 ? 1 + random.nextInt(2) : 0; i > 0; i--) {
            long t = time.getAsLong();
            if (random.nextInt(3) == 0) {
                events.add(DeliveryResult.newBuilder().setSendId("x-" + t).setCustomerId(customer).setScenarioId("s0")
                        .setStatus(DeliveryStatus.BOUNCED).setAttempts(1).setResultTime(Instant.ofEpochMilli(t)).build());
            } else {
                events.add(EngagementEvent.newBuilder().setEventId("e-" + customer + "-" + t).setEventTime(Instant.ofEpochMilli(t))
                        .setCustomerId(customer).setType(random.nextBoolean() ? EngagementType.UNSUBSCRIBED
                                : random.nextBoolean() ? EngagementType.COMPLAINED : EngagementType.BOUNCED).build());
            }
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            long t = time.getAsLong();
            events.add(GovernorHarnessTest.order(customer, t, products.get(random.nextInt(3))));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            long t = time.getAsLong();
            events.add(new StockOut(customer, products.get(random.nextInt(3)), "so-" + customer + "-" + t, t));
        }
        return events;
    }
}
