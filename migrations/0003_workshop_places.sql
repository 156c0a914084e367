CREATE TABLE "workshop_places" (
	"workshop_id" uuid PRIMARY KEY NOT NULL,
	"confirmed" integer DEFAULT 0 NOT NULL,
	"waitlisted" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "workshop_places" ADD CONSTRAINT "workshop_places_workshop_id_workshops_id_fk" FOREIGN KEY ("workshop_id") REFERENCES "public"."workshops"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
INSERT INTO "workshop_places" ("workshop_id", "confirmed", "waitlisted")
  SELECT "workshop_id", count(*) FILTER (WHERE "status" = 'confirmed'), count(*) FILTER (WHERE "status" = 'waitlisted')
  FROM "registrations" GROUP BY "workshop_id";
--> statement-breakpoint
-- Keeps workshop_places: every registration that enters or leaves `confirmed` or `waitlisted`.
CREATE FUNCTION "registration_places_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  confirmed_change integer := 0;
  waitlisted_change integer := 0;
  workshop uuid;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    workshop := OLD.workshop_id;
    IF OLD.status = 'confirmed' THEN confirmed_change := confirmed_change - 1;
    ELSIF OLD.status = 'waitlisted' THEN waitlisted_change := waitlisted_change - 1;
    END IF;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    workshop := NEW.workshop_id;
    IF NEW.status = 'confirmed' THEN confirmed_change := confirmed_change + 1;
    ELSIF NEW.status = 'waitlisted' THEN waitlisted_change := waitlisted_change + 1;
    END IF;
  END IF;
  IF confirmed_change <> 0 OR waitlisted_change <> 0 THEN
    -- Nothing to count once the workshop itself is gone (rows deleted by its cascade).
    INSERT INTO workshop_places AS p (workshop_id, confirmed, waitlisted)
      SELECT workshop, confirmed_change, waitlisted_change WHERE EXISTS (SELECT 1 FROM workshops w WHERE w.id = workshop)
      ON CONFLICT (workshop_id) DO UPDATE SET confirmed = p.confirmed + confirmed_change, waitlisted = p.waitlisted + waitlisted_change;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "registration_places_changed" AFTER INSERT OR DELETE OR UPDATE OF "status" ON "registrations"
  FOR EACH ROW EXECUTE FUNCTION "registration_places_changed"();
