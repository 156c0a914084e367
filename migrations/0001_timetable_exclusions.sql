-- Overlap rules of the timetable, enforced by PostgreSQL so that they hold under concurrent writes.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_ends_after_start" CHECK ("ends_at" > "starts_at");
--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_room_no_overlap"
  EXCLUDE USING gist ("room_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&)
  WHERE ("status" = 'scheduled' AND "room_id" IS NOT NULL);
--> statement-breakpoint
ALTER TABLE "session_speakers" ADD CONSTRAINT "session_speakers_no_overlap"
  EXCLUDE USING gist ("speaker_id" WITH =, tstzrange("starts_at", "ends_at", '[)') WITH &&)
  WHERE ("active");
