package io.riskstream.topology;

import io.riskstream.schemas.EmrEvent;
import io.riskstream.schemas.EventKind;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Chooses what a score may cite as alert reasons: groups the events of the input so that a clinician reads each
 * fact once, and keeps the {@code max} groups with the newest events.
 * <ul>
 *   <li>An event joins the group of an earlier (newer) event of the same kind with the same code (system and code),
 *       else one of the same kind and description in another code system (related events: the same fact coded
 *       twice, e.g. SNOMED CT and ICD-10); two codes of one system are two facts, however alike their descriptions
 *       (sources put generic text there). Events without code and description stay alone. A group is occluded as a whole (every position of every member), so its
 *       contribution is what the model owes to that fact, however often it was recorded.</li>
 *   <li>Events whose code is in {@code excludedCodes} are never cited (e.g. Synthea's QALY, DALY and QOLS:
 *       health-economics measures, not clinical facts); they stay in the model's input.</li>
 *   <li>A group's reason shows its newest event (id, time, code, description) and the number of members.</li>
 * </ul>
 * Written by hand: the grouping is specific to EmrEvent and to occlusion positions.
 *
 * @param max the number of groups to keep and occlude ({@code alert.reasons.candidates}, at least
 *     {@code alert.reasons}); 0 cites nothing
 * @param excludedCodes codes never cited, in any code system ({@code alert.reasons.excluded.codes})
 */
public record ReasonGroups(int max, Set<String> excludedCodes) {

  /** No exclusions. */
  public static ReasonGroups of(int max) {
    return new ReasonGroups(max, Set.of());
  }

  public ReasonGroups {
    if (max < 0) {
      throw new IllegalArgumentException("max must not be negative");
    }
    excludedCodes = Set.copyOf(excludedCodes);
  }

  /** How many occlusion candidates to ask the encoder for: every event of the input when reasons are wanted. */
  int candidates() {
    return max == 0 ? 0 : Integer.MAX_VALUE;
  }

  /**
   * The reasons of a request.
   *
   * @param candidates occlusion candidates, newest first (each event once, with its input positions)
   * @param byId the events of the candidates by event id
   */
  List<ScoringRequest.ReasonEvent> select(List<RequestEncoder.Occluded> candidates, Map<String, EmrEvent> byId) {
    if (max == 0) {
      return List.of();
    }
    Map<CodeKey, Group> byCode = new HashMap<>();
    Map<DescriptionKey, Group> byDescription = new HashMap<>();
    Map<String, String> folded = new HashMap<>();  // description -> stripped, lower case (descriptions repeat)
    List<Group> groups = new ArrayList<>();  // in order of their newest member
    for (RequestEncoder.Occluded o : candidates) {
      EmrEvent e = byId.get(o.eventId());
      if (e == null) {
        throw new IllegalStateException("encoder occluded an event that is not in the history");
      }
      if (o.positions().isEmpty() || (e.getCode() != null && excludedCodes.contains(e.getCode()))) {
        continue;  // not in the input (removing it cannot change the score), or never cited
      }
      CodeKey codeKey = e.getCode() == null ? null : new CodeKey(e.getKind(), e.getCodeSystem(), e.getCode());
      DescriptionKey descriptionKey = e.getDescription() == null || e.getDescription().isBlank() ? null
          : new DescriptionKey(e.getKind(), folded.computeIfAbsent(e.getDescription(),
              d -> d.strip().toLowerCase(Locale.ROOT)));
      Group g = codeKey == null ? null : byCode.get(codeKey);
      if (g == null && descriptionKey != null) {
        g = byDescription.get(descriptionKey);
        if (g != null && java.util.Objects.equals(g.newest.getCodeSystem(), e.getCodeSystem())) {
          g = null;  // another code of the same system: another fact
        }
      }
      if (g == null) {
        // a group past the max is never cited: it only keeps its members from joining other groups
        g = new Group(e, groups.size() < max);
        if (g.positions != null) {
          groups.add(g);
        }
      }
      if (g.positions != null) {
        g.count++;
        g.positions.addAll(o.positions());
      }
      if (codeKey != null) {
        byCode.putIfAbsent(codeKey, g);
      }
      if (descriptionKey != null) {
        byDescription.putIfAbsent(descriptionKey, g);
      }
    }
    List<ScoringRequest.ReasonEvent> reasons = new ArrayList<>();
    for (Group g : groups) {
      if (reasons.size() == max) {
        break;
      }
      EmrEvent e = g.newest;
      reasons.add(new ScoringRequest.ReasonEvent(e.getEventId(), e.getKind().name(), e.getCodeSystem(), e.getCode(),
          e.getDescription(), e.getEventTime().toEpochMilli(), List.copyOf(g.positions), g.count));
    }
    return reasons;
  }

  private record CodeKey(EventKind kind, String system, String code) {
  }

  private record DescriptionKey(EventKind kind, String description) {
  }

  /**
   * One reason being built: its newest event, the member count and the union of their positions; a group past the
   * max (never cited) has no positions and counts nothing.
   */
  private static final class Group {
    final EmrEvent newest;
    final TreeSet<Integer> positions;
    int count;

    Group(EmrEvent newest, boolean cited) {
      this.newest = newest;
      this.positions = cited ? new TreeSet<>() : null;
    }
  }
}
