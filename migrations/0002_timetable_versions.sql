CREATE TABLE "timetable_versions" (
	"workshop_id" uuid PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	"changed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "timetable_versions" ADD CONSTRAINT "timetable_versions_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- What a workshop's agenda and calendars show changed: its row, or one of its rooms, speakers,
-- sessions or session speakers. Rendered agendas and feeds are cached against this version.
CREATE FUNCTION "timetable_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed uuid;
BEGIN
  IF TG_TABLE_NAME = 'workshops' THEN
    changed := NEW.id;
  ELSIF TG_TABLE_NAME = 'session_speakers' THEN
    IF TG_OP = 'DELETE' THEN
      SELECT s.workshop_id INTO changed FROM sessions s WHERE s.id = OLD.session_id;
    ELSE
      SELECT s.workshop_id INTO changed FROM sessions s WHERE s.id = NEW.session_id;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    changed := OLD.workshop_id;
  ELSE
    changed := NEW.workshop_id;
  END IF;
  -- Nothing to count once the workshop itself is gone (rows deleted by its cascade).
  INSERT INTO timetable_versions AS t (workshop_id, version, changed_at)
    SELECT changed, 1, now() WHERE EXISTS (SELECT 1 FROM workshops w WHERE w.id = changed)
    ON CONFLICT (workshop_id) DO UPDATE SET version = t.version + 1, changed_at = now();
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "timetable_changed" AFTER UPDATE ON "workshops"
  FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION "timetable_changed"();
--> statement-breakpoint
CREATE TRIGGER "timetable_changed" AFTER INSERT OR UPDATE OR DELETE ON "rooms"
  FOR EACH ROW EXECUTE FUNCTION "timetable_changed"();
--> statement-breakpoint
CREATE TRIGGER "timetable_changed" AFTER INSERT OR UPDATE OR DELETE ON "speakers"
  FOR EACH ROW EXECUTE FUNCTION "timetable_changed"();
--> statement-breakpoint
CREATE TRIGGER "timetable_changed" AFTER INSERT OR UPDATE OR DELETE ON "sessions"
  FOR EACH ROW EXECUTE FUNCTION "timetable_changed"();
--> statement-breakpoint
CREATE TRIGGER "timetable_changed" AFTER INSERT OR UPDATE OR DELETE ON "session_speakers"
  FOR EACH ROW EXECUTE FUNCTION "timetable_changed"();
