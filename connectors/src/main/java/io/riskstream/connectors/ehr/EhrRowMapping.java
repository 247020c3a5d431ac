package io.riskstream.connectors.ehr;

import io.riskstream.schemas.EmrEvent;

/**
 * Maps an {@link EmrEvent} to the EHR database row that represents it; {@link #DEFAULT} is {@link EhrRows#toRow}.
 * A site whose database differs from {@code schema.sql} plugs in its own.
 */
@FunctionalInterface
public interface EhrRowMapping {

  /** The mapping of {@code connectors/ehr-db/schema.sql}. */
  EhrRowMapping DEFAULT = EhrRows::toRow;

  /** The row for {@code event}; throws IllegalArgumentException when the event cannot be represented. */
  EhrRow toRow(EmrEvent event);
}
