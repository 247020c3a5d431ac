package io.riskstream.scoring.tensorrt.internal;

import org.bytedeco.tensorrt.nvinfer.ILogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TensorRT's log into SLF4J (logger {@code io.riskstream.scoring.tensorrt.TensorRT}). TensorRT logs layer and
 * tensor names and shapes, never tensor contents, so no patient data reaches the log.
 */
final class TrtLogger extends ILogger {

  private static final Logger LOG = LoggerFactory.getLogger("io.riskstream.scoring.tensorrt.TensorRT");

  @Override
  public void log(Severity severity, String message) {
    switch (severity.intern()) {
      case kINTERNAL_ERROR, kERROR -> LOG.error(message);
      case kWARNING -> LOG.warn(message);
      case kINFO -> LOG.debug(message);
      default -> LOG.trace(message);
    }
  }
}
