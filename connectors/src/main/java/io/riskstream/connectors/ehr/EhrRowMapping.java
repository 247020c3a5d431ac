package io.riskstream.connectors.ehr;

import io.riskstream.schemas.EmrEvent;

/**
 * Maps an {@link EmrEvent} to the EHR database row that represents it. {@link DefaultEhrRowMapping} is the mapping of
 * this module; the Synthea reader's {@code EhrRows.toRow} can be plugged in as a method reference once its result is
 * adapted to {@link EhrRow}.
 */
@FunctionalInterface
public interface EhrRowMapping {

  /** The row for {@code event}; throws IllegalArgumentException when the event cannot be represented. */
  EhrRow toRow(EmrEvent event);
}
