package dev.sandpit.gateway.store;

import java.util.List;

/** One page of a listing and the total count of matches. */
public record Page<T>(List<T> items, long total, int offset, int limit) {}
